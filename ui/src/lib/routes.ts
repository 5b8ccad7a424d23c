// What an area of the UI (patient, doctor, admin, account) contributes to the shell.
import type { ComponentType } from 'preact';

export interface ScreenProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface RouteDef {
  /** "/appointments/:id" */
  path: string;
  screen: ComponentType<ScreenProps>;
}

export interface NavItem {
  label: string;
  path: string;
  /** Shown next to the label (e.g. unread messages); omitted when zero. */
  badge?: () => number;
}

export interface Area {
  home: string;
  nav: NavItem[];
  routes: RouteDef[];
}
