// A CommonJS module in the same build: automemo emits `require("automemo")` here.
let loads = 0;

/**
 * One shared settings object per environment name.
 * @singleton
 */
function loadSettings(environment: string): { environment: string; load: number } {
  loads++;
  return { environment, load: loads };
}

export = { loadSettings };
