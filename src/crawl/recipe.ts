/**
 * `recipe` (SPEC §6): a site with several kinds of page, as a Scrapy spider with several callbacks,
 * without code. Checked whole before anything is fetched: an unknown key, a `follow` to an unknown
 * kind, a selector or filter that cannot work is a UsageError naming it (`recipe.pages.book.select.price`).
 */
import { UsageError } from "../errors.js";
import type { ExtractionSpec, FollowSpec } from "../extract/plan.js";

/** A recipe as written (JSON). */
export interface Recipe {
  /** Start URLs: pages of the first kind. */
  start?: string[];
  /** The kinds of page, in order; the first is the kind of the start URLs. */
  pages: Record<string, RecipePage>;
}

/** One kind of page. */
export interface RecipePage {
  /** Fields, as `select` takes them (items and filters included). */
  select?: Record<string, string>;
  /** Every field evaluated inside each element this matches; the objects go to `data.items`. */
  each?: string;
  /** Links to follow: kind → a selector (`css` or `css@attr`) or several. */
  follow?: Record<string, string | string[]>;
  /** Copy the referring page's item that the followed link sat in into this kind's records, under `from`. */
  carry?: boolean;
}

/** A kind, checked: its name, what it extracts, and whether it carries. */
export interface RecipeKind {
  name: string;
  spec: ExtractionSpec;
  /** The option paths of its select and each, for messages. */
  paths: { select: string; each: string };
  carry: boolean;
}

export interface ResolvedRecipe {
  start: string[];
  /** The kinds in order; index 0 is the start kind. */
  kinds: RecipeKind[];
}

const RECIPE_KEYS = ["start", "pages"];
const PAGE_KEYS = ["select", "each", "follow", "carry"];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function unknownKeys(value: Record<string, unknown>, known: readonly string[], option: string): void {
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown !== undefined) {
    throw new UsageError(`${option}: unknown key "${unknown}" (expected ${known.join(", ")})`, { option });
  }
}

function followOf(follow: unknown, kinds: readonly string[], option: string): FollowSpec[] {
  if (follow === undefined) return [];
  if (!isObject(follow))
    throw new UsageError(`${option} must be an object of kind → selector, such as {"book": "article h3 a"}`, { option });
  const specs: FollowSpec[] = [];
  for (const [kind, selectors] of Object.entries(follow)) {
    const path = `${option}.${kind}`;
    if (!kinds.includes(kind)) {
      throw new UsageError(`${path}: unknown kind "${kind}" (the recipe's kinds are ${kinds.join(", ")})`, { option: path });
    }
    const list = typeof selectors === "string" ? [selectors] : selectors;
    if (!Array.isArray(list) || list.length === 0 || list.some((selector) => typeof selector !== "string" || selector.trim() === "")) {
      throw new UsageError(`${path} must be a CSS selector (or a list of them) picking the links, got ${JSON.stringify(selectors)}`, {
        option: path,
      });
    }
    for (const selector of list as string[]) specs.push({ selector, kind, option: path });
  }
  return specs;
}

/** Checks a recipe's shape (selectors are checked when their plans are built); throws a UsageError naming what is wrong. */
export function resolveRecipe(recipe: unknown, option = "recipe"): ResolvedRecipe {
  if (!isObject(recipe)) throw new UsageError(`${option} must be an object with "pages" (and "start")`, { option });
  unknownKeys(recipe, RECIPE_KEYS, option);
  const start = recipe.start ?? [];
  if (!Array.isArray(start) || start.some((url) => typeof url !== "string")) {
    throw new UsageError(`${option}.start must be a list of URLs`, { option: `${option}.start` });
  }
  const pages = recipe.pages;
  if (!isObject(pages) || Object.keys(pages).length === 0) {
    throw new UsageError(`${option}.pages must name at least one kind of page, such as {"list": {…}}`, { option: `${option}.pages` });
  }
  const names = Object.keys(pages);
  const kinds = names.map((name): RecipeKind => {
    const path = `${option}.pages.${name}`;
    const page = pages[name];
    if (!isObject(page)) throw new UsageError(`${path} must be an object (select, each, follow, carry)`, { option: path });
    unknownKeys(page, PAGE_KEYS, path);
    if (page.select !== undefined && !isObject(page.select)) {
      throw new UsageError(`${path}.select must be an object of name → selector`, { option: `${path}.select` });
    }
    if (page.each !== undefined && typeof page.each !== "string") {
      throw new UsageError(`${path}.each must be a CSS selector`, { option: `${path}.each` });
    }
    if (page.carry !== undefined && typeof page.carry !== "boolean") {
      throw new UsageError(`${path}.carry must be true or false`, { option: `${path}.carry` });
    }
    const spec: ExtractionSpec = {
      select: (page.select ?? {}) as Record<string, string>,
      follow: followOf(page.follow, names, `${path}.follow`),
      ...(page.each === undefined ? {} : { each: page.each }),
    };
    return { name, spec, paths: { select: `${path}.select`, each: `${path}.each` }, carry: page.carry === true };
  });
  return { start: start as string[], kinds };
}
