import { describe, it } from 'vitest';

/**
 * One rule of a conformance kit: a name that states the rule, and a check that throws a {@link RuleViolation}
 * saying what to fix when the implementation breaks it.
 * @public
 */
export interface KitRule<Subject> {
  /** The rule, stated as a fact about a correct implementation ("refuses to create an id twice"). */
  name: string;
  /** The capability (or fixture) the rule needs; without it the rule is skipped, never passed empty. */
  needs?: string;
  /** Checks the rule; throws a {@link RuleViolation} (or any error) when it is broken. */
  check: (subject: Subject) => Promise<void>;
}

/**
 * A broken rule: the message names the rule and says what to change.
 * @public
 */
export class RuleViolation extends Error {
  /** Always `RuleViolation`. */
  override readonly name = 'RuleViolation' as const;
}

/**
 * Asserts one part of a rule; on failure throws a {@link RuleViolation} with `message` (what is wrong and what to
 * fix), never a bare "expected false to be true".
 * @public
 */
export function must(condition: unknown, message: string): asserts condition {
  if (!condition) throw new RuleViolation(message);
}

/** How a kit makes the subject of each rule and releases it. @public */
export interface KitHarness<Subject> {
  /** A fresh subject (for example an empty store) for one rule. */
  create: () => Subject | Promise<Subject>;
  /** Releases what `create` made. */
  cleanup?: (subject: Subject) => void | Promise<void>;
}

/** The result of one rule in {@link checkRules}. @public */
export interface RuleResult {
  /** The rule's name. */
  rule: string;
  /** `passed`, `failed` (with `error`), or `skipped` (the subject lacks the capability the rule needs). */
  status: 'passed' | 'failed' | 'skipped';
  /** Why it failed. */
  error?: unknown;
}

async function runRule<Subject>(rule: KitRule<Subject>, harness: KitHarness<Subject>): Promise<RuleResult> {
  const subject = await harness.create();
  try {
    await rule.check(subject);
    return { rule: rule.name, status: 'passed' };
  } catch (error) {
    // A violation's message names the rule it broke, whatever runner shows it; anything else thrown stays as is.
    const named =
      error instanceof RuleViolation ? new RuleViolation(`${rule.name}: ${error.message}`) : error;
    return { rule: rule.name, status: 'failed', error: named };
  } finally {
    await harness.cleanup?.(subject);
  }
}

/**
 * Runs every rule without registering tests and reports each one, passed, failed or skipped: to collect the
 * results yourself (a table in a partner's CI log), or to show that a deliberately broken implementation fails a
 * kit rule by rule. Like the rest of this entry, it runs inside a vitest run (the entry imports vitest).
 * @public
 */
export async function checkRules<Subject>(
  rules: readonly KitRule<Subject>[],
  harness: KitHarness<Subject>,
  has: (need: string) => boolean = () => true,
): Promise<RuleResult[]> {
  const results: RuleResult[] = [];
  for (const rule of rules) {
    if (rule.needs !== undefined && !has(rule.needs)) results.push({ rule: rule.name, status: 'skipped' });
    else results.push(await runRule(rule, harness));
  }
  return results;
}

/**
 * Registers each rule as its own vitest test inside `describe(title)`. A rule whose `needs` the implementation does
 * not have is registered with `it.skipIf`, so it shows as skipped, never as an empty pass.
 * @public
 */
export function registerRules<Subject>(
  title: string,
  rules: readonly KitRule<Subject>[],
  harness: KitHarness<Subject>,
  options: { timeoutMs?: number; has?: (need: string) => boolean } = {},
): void {
  const has = options.has ?? (() => true);
  describe(title, () => {
    for (const rule of rules) {
      it.skipIf(rule.needs !== undefined && !has(rule.needs))(
        rule.name,
        async () => {
          const result = await runRule(rule, harness);
          if (result.status === 'failed') throw result.error;
        },
        options.timeoutMs,
      );
    }
  });
}
