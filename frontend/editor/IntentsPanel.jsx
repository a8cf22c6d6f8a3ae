import { useState } from "react";

function IntentExamples({ id, examples, readOnly, onChange, onRemove }) {
  const [text, setText] = useState(examples.join("\n"));
  return (
    <div className="intent" data-intent={id}>
      <div className="row">
        <code>{id}</code>
        {!readOnly && (
          <button type="button" onClick={onRemove} title="Remove intent">
            ✕
          </button>
        )}
      </div>
      <textarea
        rows={Math.min(8, Math.max(2, examples.length + 1))}
        value={text}
        disabled={readOnly}
        onChange={(e) => setText(e.target.value)}
        onBlur={() =>
          onChange(
            text
              .split("\n")
              .map((l) => l.trim())
              .filter(Boolean),
          )
        }
      />
    </div>
  );
}

export function IntentsPanel({ doc, readOnly, onChange, builtins }) {
  const intents = doc.intents || {};
  const [newId, setNewId] = useState("");
  const set = (next) => onChange({ ...doc, intents: next });
  return (
    <div className="intents-panel">
      <h3>The script's intents</h3>
      <p className="hint">
        One example a line. An id of a built-in intent adds examples to it.
      </p>
      {Object.entries(intents).map(([id, spec]) => (
        <IntentExamples
          key={id + JSON.stringify(spec?.examples)}
          id={id}
          examples={spec?.examples || []}
          readOnly={readOnly}
          onChange={(examples) => set({ ...intents, [id]: { ...spec, examples } })}
          onRemove={() => {
            const { [id]: _, ...rest } = intents;
            set(rest);
          }}
        />
      ))}
      {!readOnly && (
        <div className="row">
          <input
            value={newId}
            placeholder="new_intent"
            onChange={(e) => setNewId(e.target.value.trim())}
            aria-label="New intent id"
          />
          <button
            type="button"
            disabled={!newId || newId in intents}
            onClick={() => {
              set({ ...intents, [newId]: { examples: [] } });
              setNewId("");
            }}
          >
            Add intent
          </button>
        </div>
      )}
      <h3>Built-in intents ({doc.language})</h3>
      {(builtins || []).map((intent) => (
        <details key={intent.id} className="builtin">
          <summary>
            <code>{intent.id}</code> <small>{intent.examples.length} examples</small>
          </summary>
          <ul>
            {intent.examples.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        </details>
      ))}
    </div>
  );
}
