import { type MouseEvent, type ReactNode, useEffect, useState } from 'react';

/** The console lives under /console/; routes are the rest of the path plus the query. */
const BASE = '/console';

export interface Route {
  /** Path segments after /console/. */
  parts: string[];
  query: URLSearchParams;
  /** Counts link clicks and history moves: a page keyed on it starts afresh when its link is clicked again. */
  visit: number;
}

let visits = 0;

function current(): Route {
  const rest = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  return {
    parts: rest
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p)),
    query: new URLSearchParams(location.search),
    visit: visits,
  };
}

export function href(path: string): string {
  return `${BASE}${path.startsWith('/') ? path : `/${path}`}`;
}

export function navigate(path: string, replace = false): void {
  const url = href(path);
  if (replace) history.replaceState(null, '', url);
  else {
    history.pushState(null, '', url);
    visits++;
  }
  window.dispatchEvent(new Event('nimbus:navigate'));
  window.scrollTo(0, 0);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    const back = () => {
      visits++;
      update();
    };
    window.addEventListener('popstate', back);
    window.addEventListener('nimbus:navigate', update);
    return () => {
      window.removeEventListener('popstate', back);
      window.removeEventListener('nimbus:navigate', update);
    };
  }, []);
  return route;
}

export function Link(props: { to: string; children: ReactNode; className?: string; testId?: string }) {
  const onClick = (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={href(props.to)} onClick={onClick} className={props.className} data-testid={props.testId}>
      {props.children}
    </a>
  );
}

export const functionPath = (name: string, tab?: string, query?: Record<string, string>) => {
  const q = new URLSearchParams({ ...(tab ? { tab } : {}), ...query }).toString();
  return `/functions/${encodeURIComponent(name)}${q ? `?${q}` : ''}`;
};
