/** The same shape as the English strings, with any text: a missing key fails the type check. */
export type Strings<T> = { [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };
