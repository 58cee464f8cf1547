/**
 * Types only: the shape of `record.data` for a `select` object literal, so that
 * `trawl(urls, { select: { "h[]": "h2", price: ".price | number" } })` can give records whose `data`
 * is `{ h: string[]; price: number | null }`. A `name[]` key is an array; `list[].field` keys make
 * `list` an array of objects, to any depth; the last filter decides a value's type (`number` and
 * `int` a number, `json` any JSON value, the others a string); `each` puts the objects in `items`.
 * A `select` typed as a plain `Record<string, string>` gives `Record<string, ExtractedValue>`.
 */
import type { ExtractedValue } from "../record.js";

type Trim<Text extends string> = Text extends ` ${infer Rest}` ? Trim<Rest> : Text extends `${infer Rest} ` ? Trim<Rest> : Text;

/** The last filter of a chain (what follows the last ` | `). */
type LastFilter<Chain extends string> = Chain extends `${string} | ${infer Rest}` ? LastFilter<Rest> : Trim<Chain>;

/** The last filter of a field's value, or never when it has none. */
type FilterOf<Value extends string> = Value extends `${string} | ${infer Chain}` ? LastFilter<Chain> : never;

/** What a filter gives when it finds something (an unknown filter, refused at run time, gives never). */
type FilterResult<Filter extends string> = Filter extends "number" | "int"
  ? number
  : Filter extends "json"
    ? ExtractedValue
    : Filter extends "lower" | "upper" | `re:${string}`
      ? string
      : never;

/** A single field: its text, attribute or filtered value, or null when nothing matched (or the filter found nothing). */
type SingleValue<Value extends string> = [FilterOf<Value>] extends [never] ? string | null : FilterResult<FilterOf<Value>> | null;

/** One element of an array field: a match's value (a filter that finds nothing leaves null). */
type ArrayElement<Value extends string> = [FilterOf<Value>] extends [never] ? string : FilterResult<FilterOf<Value>> | null;

/** The fields inside list `List`: `List[].field` keys, with that prefix taken off. */
type SubSelect<Select, List extends string> = {
  [Key in keyof Select & string as Key extends `${List}[].${infer Rest}` ? Rest : never]: Select[Key];
};

/** The top-level name of a key (`links` for `links[]`), or never for a sub-field. */
type TopName<Key extends string> = Key extends `${string}.${string}` ? never : Key extends `${infer Name}[]` ? Name : Key;

/** The value of top-level key `Key` of `Select`. */
type ValueOf<Select, Key extends keyof Select & string> = Key extends `${infer List}[]`
  ? keyof SubSelect<Select, List> extends never
    ? ArrayElement<Select[Key] & string>[]
    : SelectData<SubSelect<Select, List>>[]
  : SingleValue<Select[Key] & string>;

/** The shape of `data` for a `select` object (see the file's head). */
export type SelectData<Select> = string extends keyof Select
  ? Record<string, ExtractedValue>
  : { [Key in keyof Select & string as TopName<Key>]: ValueOf<Select, Key> };

/** The shape of `data` for `select` and `each`: with `each`, one object per element in `items`. */
export type TrawlData<Select, Each extends string | undefined = undefined> = [Each] extends [string]
  ? { items: SelectData<Select>[] }
  : SelectData<Select>;
