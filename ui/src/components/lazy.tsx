// Code that only some people use (the front desk's screens, the doctor's workspace, messaging)
// loads on first use, in its own chunk, so the first page a patient opens stays small.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Button, ErrorNotice, Loading } from './ui';

/** A component that loads `load`'s component on first render and shows it (or a retry). */
export function lazyComponent<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  type Screen = ComponentType<P>;
  let loaded: Screen | undefined;
  let pending: Promise<Screen> | undefined;
  return function LazyComponent(props: P) {
    const [screen, setScreen] = useState<{ component: Screen } | undefined>(loaded ? { component: loaded } : undefined);
    const [error, setError] = useState<unknown>(undefined);
    const [attempt, setAttempt] = useState(0);
    useEffect(() => {
      if (loaded) return;
      pending ??= load().then((component) => (loaded = component));
      let current = true;
      pending
        .then((component) => current && setScreen({ component }))
        .catch((e: unknown) => {
          pending = undefined;
          if (current) setError(e);
        });
      return () => {
        current = false;
      };
    }, [attempt]);
    if (error) {
      return (
        <div class="stack">
          <ErrorNotice error={new Error('This screen could not be loaded. Check the connection and try again.')} />
          <div>
            <Button
              variant="secondary"
              onClick={() => {
                setError(undefined);
                setAttempt((a) => a + 1);
              }}
            >
              Try again
            </Button>
          </div>
        </div>
      );
    }
    if (!screen) return <Loading />;
    const Component = screen.component;
    return <Component {...props} />;
  };
}
