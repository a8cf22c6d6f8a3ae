// The script editor page: mounts the React app on #editor-root with the
// configuration the Django view put in #editor-config.
performance.mark("editor-start");
import { createRoot } from "react-dom/client";
import { ReactFlowProvider } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import "./editor.css";
import { App } from "./App.jsx";
import { makeApi } from "./api.js";

const config = JSON.parse(document.getElementById("editor-config").textContent);
const api = makeApi(config);

async function mount() {
  let builtins = [];
  try {
    builtins = (await api.builtinIntents(config.language)).intents;
  } catch {
    builtins = [];
  }
  window.__builtinIntents = builtins.map((intent) => intent.id);
  createRoot(document.getElementById("editor-root")).render(
    <ReactFlowProvider>
      <App config={config} api={api} builtins={builtins} />
    </ReactFlowProvider>,
  );
}

mount();
