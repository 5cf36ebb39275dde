import { lazy, Suspense } from 'react';
import type { CodeEditorProps } from './CodeEditor';

export type { EditorLanguage } from './CodeEditor';

const CodeEditor = lazy(() => import('./CodeEditor'));

export function Editor(props: CodeEditorProps) {
  return (
    <Suspense fallback={<div className="code-editor loading">Loading editor…</div>}>
      <CodeEditor {...props} />
    </Suspense>
  );
}
