/** What every view gets from the router and gives back: mount into a root, return the unmount. */
export interface ViewContext {
  root: HTMLElement;
  params: Record<string, string>;
  query: URLSearchParams;
  navigate(path: string): void;
  switchLang(): void;
  /** set document.body.dataset.state for people and tests */
  setState(state: 'loading' | 'ready' | 'empty' | 'error'): void;
}

export type Unmount = () => void;
