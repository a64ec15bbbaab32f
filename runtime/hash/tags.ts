/** Type tags of the key hasher's word stream, shared by the general walk and the plain-data fast path. */
// Tags 1-4 are the number tags in mix.ts. Values are part of every digest: never renumber.
export const TAG_UNDEFINED = 5;
export const TAG_NULL = 6;
export const TAG_FALSE = 7;
export const TAG_TRUE = 8;
export const TAG_STRING = 9;
export const TAG_BIGINT = 10;
export const TAG_SYMBOL = 11;
export const TAG_ARRAY = 12;
export const TAG_HOLE = 13;
export const TAG_OBJECT = 14;
export const TAG_MAP = 15;
export const TAG_SET = 16;
export const TAG_DATE = 17;
export const TAG_REGEXP = 18;
export const TAG_URL = 19;
export const TAG_URL_SEARCH_PARAMS = 20;
export const TAG_ARRAY_BUFFER = 21;
export const TAG_DATA_VIEW = 22;
export const TAG_BACK_REFERENCE = 23;
export const TAG_CUSTOM = 24;
export const TAG_PROPERTY_KEY = 25;
/** An `arguments` object: like an array, but told apart from one (and from a plain object). */
export const TAG_ARGUMENTS = 26;
/** A property keyed by a registered symbol (its registry key follows). */
export const TAG_SYMBOL_PROPERTY_KEY = 27;
/** An array of length 2^24 or more: only its present elements, each after its index (a sparse length of 2^31 must not be walked). */
export const TAG_LONG_ARRAY = 28;
/** A null-prototype object (`"toString" in x` tells it from a plain one). */
export const TAG_NULL_PROTOTYPE_OBJECT = 29;
export const TAG_TYPED_ARRAY = 32;
export const TAG_KEY_COMPONENTS = 64;
