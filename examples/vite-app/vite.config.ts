import { defineConfig } from "vite";
import automemo from "automemo/vite";

export default defineConfig({
  plugins: [automemo()],
});
