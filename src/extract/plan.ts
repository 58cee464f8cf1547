/**
 * The extraction plan: what one kind of page yields, checked once before the run. Fields become a
 * tree (a list's sub-fields are evaluated inside each of its elements, SPEC §3 "Items"), `each`
 * wraps every field in one list, and `follow` selectors name the links the page leads to. The plan
 * is plain data, so it goes to parse threads as it is. Light: no parser or selector engine loads here.
 */
import { UsageError } from "../errors.js";
import { type FieldRead, parseLinkSelector, parseSelectField, type SelectField } from "./fields.js";
import type { FilterSpec } from "./filters.js";

/** One field of the tree. */
export interface FieldPlan {
  /** Key in its object (`title` for `books[].title`). */
  name: string;
  /** The option path that names it in messages (`select.books[].title`, `each`). */
  option: string;
  /** CSS selector, searched inside the element the field is evaluated in; null reads that element. */
  selector: string | null;
  /** What to read from each element (not used by a list of items). */
  read: FieldRead;
  /** Filters applied to what is read, in order. */
  filters: FilterSpec[];
  /** True for an array: every match (`name[]`). */
  all: boolean;
  /** A list of items: each match becomes an object of these fields. Null for a plain value or array. */
  fields: FieldPlan[] | null;
}

/** Links to follow: every element `selector` matches, its `attribute` (a URL), tagged with `kind`. */
export interface FollowPlan {
  /** The kind of page the links lead to (a recipe's page kind), or null for plain `follow`. */
  kind: string | null;
  selector: string;
  /** The attribute holding the URL. @default "href" */
  attribute: string;
  /** The option path that names it in messages. */
  option: string;
}

/** Everything extraction yields for one kind of page. */
export interface ExtractionPlan {
  /** The top-level fields of `data`, in order. */
  fields: FieldPlan[];
  /** The link selectors; links come back in `Extraction.links`. */
  follow: FollowPlan[];
}

/** A link selector as given: `css` or `css@attr` (`href` unless named). */
export interface FollowSpec {
  selector: string;
  /** The kind of page its links lead to; none for plain `follow`. */
  kind?: string | null;
  /** The option path naming it in messages. @default `follow.<kind>`, or `follow` */
  option?: string;
}

/** What a plan is made from (TrawlOptions' `select` and `each`, or a recipe's page kind). */
export interface ExtractionSpec {
  /** Fields: `{ name: "css" }`, `{ "name[]": "css@attr" }`, `{ "list[]": "css", "list[].name": "css | filter" }`. */
  select?: Readonly<Record<string, string>> | undefined;
  /** Evaluate every field inside each element this matches; the objects go to `data.items`. */
  each?: string | undefined;
  follow?: readonly FollowSpec[] | undefined;
}

/** Where the spec sits among the options, for messages. */
export interface SpecPaths {
  /** @default "select" */
  select?: string;
  /** @default "each" */
  each?: string;
}

/** The key of `data` that `each` fills. */
export const EACH_KEY = "items";

/** True when a plan extracts nothing but the title (no fields, no links). */
export function isEmptyPlan(plan: ExtractionPlan): boolean {
  return plan.fields.length === 0 && plan.follow.length === 0;
}

const leafOf = (field: SelectField): FieldPlan => ({
  name: field.path[field.path.length - 1] ?? field.name,
  option: field.option,
  selector: field.selector,
  read: field.read,
  filters: field.filters,
  all: field.all,
  fields: null,
});

/** The name of the list holding a sub-field (`books` for `books[].title`), or null at the top. */
function parentName(field: SelectField): string | null {
  const dot = field.name.lastIndexOf(".");
  return dot === -1 ? null : field.name.slice(0, dot - 2);
}

/** The fields as a tree, each list holding its sub-fields in the order given; throws a UsageError naming the field at fault. */
function fieldTree(select: Readonly<Record<string, string>>, base: string): FieldPlan[] {
  const fields = Object.entries(select).map(([key, value]) => {
    if (typeof value !== "string")
      throw new UsageError(`${base}.${key} must be a string such as "h1" or "a@href", got ${typeof value}`, { option: `${base}.${key}` });
    return parseSelectField(key, value, base);
  });
  const plans = new Map<string, { field: SelectField; plan: FieldPlan }>();
  for (const field of fields) {
    const twin = plans.get(field.name);
    if (twin) {
      throw new UsageError(`${field.option}: the key "${field.path.at(-1)}" is given twice (as ${twin.field.option} too)`, {
        option: field.option,
      });
    }
    plans.set(field.name, { field, plan: leafOf(field) });
  }
  const top: FieldPlan[] = [];
  for (const { field, plan } of plans.values()) {
    const parent = parentName(field);
    if (parent === null) {
      top.push(plan);
      continue;
    }
    const list = plans.get(parent);
    if (!list?.field.all) {
      const hint = list
        ? `${list.field.option} is not a list (its key does not end in [])`
        : `there is no field "${parent}[]" selecting the elements`;
      throw new UsageError(`${field.option}: a sub-field needs its list, and ${hint}`, { option: field.option });
    }
    const { field: listField, plan: listPlan } = list;
    if (listField.selector === null || listField.read.kind !== "text" || listField.filters.length > 0) {
      throw new UsageError(
        `${listField.option}: a list with sub-fields (such as ${field.option}) selects elements, so it takes a CSS selector alone (no @attribute, no filters)`,
        { option: listField.option },
      );
    }
    listPlan.fields ??= [];
    listPlan.fields.push(plan);
  }
  return top;
}

/** The follow selectors, parsed. */
function followPlans(follow: readonly FollowSpec[]): FollowPlan[] {
  return follow.map((spec) => {
    const kind = spec.kind ?? null;
    const option = spec.option ?? (kind === null ? "follow" : `follow.${kind}`);
    return { kind, option, ...parseLinkSelector(spec.selector, option) };
  });
}

/**
 * Builds and checks a plan from `select`, `each` and `follow`: names, sub-fields and their lists,
 * pseudo-attributes and filters. Throws a UsageError naming the option at fault (`select.price`).
 * Selectors are checked as CSS by `validatePlan` (validate-selectors.ts), which loads the engine.
 */
export function planExtraction(spec: ExtractionSpec, paths: SpecPaths = {}): ExtractionPlan {
  const fields = fieldTree(spec.select ?? {}, paths.select ?? "select");
  const follow = followPlans(spec.follow ?? []);
  if (spec.each === undefined) return { fields, follow };
  const option = paths.each ?? "each";
  if (typeof spec.each !== "string" || spec.each.trim() === "") {
    throw new UsageError(`${option} must be a CSS selector (the elements that are items), got "${String(spec.each)}"`, { option });
  }
  const items: FieldPlan = { name: EACH_KEY, option, selector: spec.each.trim(), read: { kind: "text" }, filters: [], all: true, fields };
  return { fields: [items], follow };
}
