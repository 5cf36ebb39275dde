import type { Pages } from '../hooks';

/**
 * Previous / Next under a paged list. `next` is the token the API returned for the page after
 * this one; none (undefined, null or empty) means this is the last page.
 */
export function Pager<T>({
  pages,
  next,
  labels = ['← Previous', 'Next →'],
  showNumber = false,
}: {
  pages: Pages<T>;
  next: T | null | undefined;
  labels?: readonly [string, string];
  showNumber?: boolean;
}) {
  const last = next === undefined || next === null || next === '';
  return (
    <div className="pager">
      <button type="button" disabled={pages.number === 1} onClick={pages.previous}>
        {labels[0]}
      </button>
      {showNumber ? <span>Page {pages.number}</span> : null}
      <button type="button" disabled={last} onClick={() => !last && pages.next(next)}>
        {labels[1]}
      </button>
    </div>
  );
}
