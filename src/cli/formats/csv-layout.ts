/**
 * Which columns a CSV run has (SPEC §4): the fixed ones, the optional keys in use, one per select
 * field in the order given; and, with items, which field holds them. Worked out once from the
 * select keys as typed, before the first record.
 */

/** The fixed columns, in order. */
export const CSV_COLUMNS = ["url", "finalUrl", "status", "ok", "attempts", "ms", "bytes", "contentType", "title", "error"] as const;

/** The optional record keys, in the order their columns come (after `error`). */
export const OPTIONAL_COLUMNS = ["depth", "parent", "file", "kind", "cached", "linkedFrom"] as const;
export type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number];

/** One column of a select field: its header and where its value is. */
export interface FieldColumn {
  header: string;
  /** The key in `record.data` (or, for an item column, in the item object). */
  key: string;
}

export interface CsvLayout {
  optional: OptionalColumn[];
  /** The page's select fields (every field when there are no items). */
  pageFields: FieldColumn[];
  /** With items: the `data` key of the item array, and the item's own columns (`<list>.<field>`). */
  items: { key: string; fields: FieldColumn[] } | null;
}

/** A field's key in `data`: its name without the trailing `[]`. */
const dataKey = (name: string): string => (name.endsWith("[]") ? name.slice(0, -2) : name);

/**
 * Lays the columns out. Items are on when `each` is given (every field is an item field, the items
 * are `data.items`), or when exactly one `list[]` field has sub-fields (`list[].field`); then each
 * item is a row. Deeper fields (`list[].tags[]`, `list[].authors[].name`) stay inside their
 * top-most item field, as JSON text in its cell.
 */
export function csvLayout(selectKeys: readonly string[], optional: readonly OptionalColumn[], each?: string): CsvLayout {
  const inOrder = OPTIONAL_COLUMNS.filter((column) => optional.includes(column));
  if (each !== undefined) {
    const fields = selectKeys.filter((key) => !key.includes("[]."));
    return { optional: inOrder, pageFields: [], items: { key: "items", fields: fields.map((name) => itemColumn("items", name)) } };
  }
  const top = selectKeys.filter((key) => !key.includes("[]."));
  const lists = top.filter((key) => key.endsWith("[]") && selectKeys.some((other) => other.startsWith(`${key}.`)));
  if (lists.length !== 1) {
    return { optional: inOrder, pageFields: top.map((name) => ({ header: dataKey(name), key: dataKey(name) })), items: null };
  }
  const list = lists[0] as string;
  const listKey = dataKey(list);
  // Direct sub-fields only: `list[].a` and `list[].tags[]`, not `list[].authors[].name`.
  const children = selectKeys.filter((key) => key.startsWith(`${list}.`) && !key.slice(list.length + 1).includes("[]."));
  return {
    optional: inOrder,
    pageFields: top.filter((name) => name !== list).map((name) => ({ header: dataKey(name), key: dataKey(name) })),
    items: { key: listKey, fields: children.map((name) => itemColumn(listKey, name.slice(list.length + 1))) },
  };
}

function itemColumn(listKey: string, name: string): FieldColumn {
  return { header: `${listKey}.${dataKey(name)}`, key: dataKey(name) };
}

/** The header row's names, in order. */
export function csvHeaders(layout: CsvLayout): string[] {
  return [
    ...CSV_COLUMNS,
    ...layout.optional,
    ...layout.pageFields.map((field) => field.header),
    ...(layout.items ? ["item", ...layout.items.fields.map((field) => field.header)] : []),
  ];
}
