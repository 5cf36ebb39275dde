import { javascript } from '@codemirror/lang-javascript';
import { json } from '@codemirror/lang-json';
import { python } from '@codemirror/lang-python';
import { EditorState, type Extension } from '@codemirror/state';
import { basicSetup, EditorView } from 'codemirror';
import { useEffect, useRef } from 'react';

export type EditorLanguage = 'javascript' | 'json' | 'python' | 'text';

const LANGUAGES: Record<EditorLanguage, () => Extension> = {
  javascript: () => javascript(),
  json: () => json(),
  python: () => python(),
  text: () => [],
};

export interface CodeEditorProps {
  value: string;
  onChange?: (value: string) => void;
  language: EditorLanguage;
  readOnly?: boolean;
  minHeight?: number;
  label: string;
}

/** CodeMirror 6 with syntax highlighting; loaded in its own chunk (pages import it lazily). */
export default function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  // Set while an outside value is applied: that is not an edit, so onChange does not hear of it.
  const applying = useRef(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the editor is rebuilt only when its language or mode changes; value changes are applied below.
  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          basicSetup,
          LANGUAGES[props.language](),
          EditorView.updateListener.of((u) => {
            if (u.docChanged && !applying.current) onChange.current?.(u.state.doc.toString());
          }),
          EditorState.readOnly.of(props.readOnly === true),
          EditorView.contentAttributes.of({ 'aria-label': props.label }),
          EditorView.theme({ '&': { minHeight: `${props.minHeight ?? 240}px` } }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
  }, [props.language, props.readOnly]);

  // Outside changes (a template picked, an event loaded) replace the document.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value) {
      applying.current = true;
      try {
        v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
      } finally {
        applying.current = false;
      }
    }
  }, [props.value]);

  return <div className="code-editor" ref={host} data-testid={`editor-${props.label}`} />;
}
