// Builds the browser pages into static/build/, with a manifest that the
// Django templates read (see outcall/frontend.py). Every page is an entry
// under frontend/<page>/main.js or main.jsx; nothing is fetched from a CDN.
import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const pages = Object.fromEntries(
  readdirSync(resolve(import.meta.dirname, "frontend"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) =>
      ["main.jsx", "main.js"]
        .map((file) => `frontend/${entry.name}/${file}`)
        .filter((path) => existsSync(resolve(import.meta.dirname, path)))
        .slice(0, 1)
        .map((path) => [entry.name, resolve(import.meta.dirname, path)]),
    ),
);

export default defineConfig({
  plugins: [react()],
  base: "/static/build/",
  build: {
    outDir: "static/build",
    emptyOutDir: true,
    manifest: "manifest.json",
    rollupOptions: { input: pages },
  },
});
