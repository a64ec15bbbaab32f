import { stats } from "automemo";
import config from "./config.cjs";
import { Catalog, factorial, fibonacci } from "./math.js";

const catalog = new Catalog(["apple", "apricot", "banana"]);
const result = {
  factorial10: factorial(10),
  factorial9: factorial(9),
  fibonacci40: fibonacci(40),
  apples: [catalog.find("ap"), catalog.find("ap")],
  catalogLookups: catalog.lookups,
  sameSettings: config.loadSettings("prod") === config.loadSettings("prod"),
  stats: {
    factorial: stats(factorial),
    fibonacci: stats(fibonacci),
    loadSettings: stats(config.loadSettings),
  },
};
console.log(JSON.stringify(result));
