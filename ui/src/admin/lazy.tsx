// Screens of the front desk load on first use, so that patients and doctors never download them
// and the first page stays small.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ScreenProps } from '../lib/routes';
import { Button, ErrorNotice, Loading } from '../components/ui';

type Screen = ComponentType<ScreenProps>;

export function lazyScreen(load: () => Promise<Screen>): Screen {
  let loaded: Screen | undefined;
  let pending: Promise<Screen> | undefined;
  return function LazyScreen(props: ScreenProps) {
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
