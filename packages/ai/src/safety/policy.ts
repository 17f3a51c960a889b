/**
 * What happens to each safety category (docs/safety.md). Two are fixed: self-harm in a person's
 * message gets the crisis reply (and the exchange is flagged); sexual content involving minors is
 * refused, wherever it appears. The others are a per-deployment policy, SAFETY_POLICY:
 * "harassment=flag,violence=flag,sexual=flag,hate=refuse,illicit=flag".
 */
export type SafetyCategory = "sexual_minors" | "self_harm" | "violence" | "hate" | "harassment" | "sexual" | "illicit";

/** allow: nothing happens. flag: stored with `messages.flagged`. refuse: SAFETY_REFUSED (a message) or the safe reply (a reply). */
type SafetyAction = "allow" | "flag" | "refuse";
type PolicyCategory = Exclude<SafetyCategory, "sexual_minors" | "self_harm">;
export type SafetyPolicy = Readonly<Record<PolicyCategory, SafetyAction>>;

const POLICY_CATEGORIES: readonly PolicyCategory[] = ["violence", "hate", "harassment", "sexual", "illicit"];
const ACTIONS: readonly SafetyAction[] = ["allow", "flag", "refuse"];

/**
 * The default: hate speech is refused; harassment, violence, adult sexual content and illicit
 * advice are answered but flagged, so an operator can review them. A companion's own reply is
 * held to more (see `replyVerdict`).
 */
export const DEFAULT_SAFETY_POLICY: SafetyPolicy = { violence: "flag", hate: "refuse", harassment: "flag", sexual: "flag", illicit: "flag" };

/** Parses SAFETY_POLICY ("category=action,…" over the default). Throws with a message naming the bad entry. */
export function parseSafetyPolicy(raw: string | undefined): SafetyPolicy {
  const policy: Record<PolicyCategory, SafetyAction> = { ...DEFAULT_SAFETY_POLICY };
  for (const entry of (raw ?? "").split(",").map((e) => e.trim()).filter(Boolean)) {
    const [name, action, extra] = entry.split("=").map((s) => s.trim());
    if (extra !== undefined || !name || !action) throw new Error(`"${entry}" is not category=action`);
    if (name === "sexual_minors" || name === "self_harm") throw new Error(`${name} is not configurable (docs/safety.md)`);
    if (!POLICY_CATEGORIES.includes(name as PolicyCategory)) throw new Error(`unknown category "${name}" (one of ${POLICY_CATEGORIES.join(", ")})`);
    if (!ACTIONS.includes(action as SafetyAction)) throw new Error(`unknown action "${action}" for ${name} (allow, flag or refuse)`);
    policy[name as PolicyCategory] = action as SafetyAction;
  }
  return policy;
}

/** What to do with a person's message. `category`: the one that decided (stored in messages.flagged). */
export type MessageVerdict =
  | { action: "allow" }
  | { action: "flag"; category: SafetyCategory }
  | { action: "crisis"; category: "self_harm" }
  | { action: "refuse"; category: SafetyCategory };

export function messageVerdict(categories: readonly SafetyCategory[], policy: SafetyPolicy): MessageVerdict {
  if (categories.includes("sexual_minors")) return { action: "refuse", category: "sexual_minors" };
  const refused = categories.find((c): c is PolicyCategory => c !== "self_harm" && policy[c as PolicyCategory] === "refuse");
  if (refused) return { action: "refuse", category: refused };
  if (categories.includes("self_harm")) return { action: "crisis", category: "self_harm" };
  const flagged = categories.find((c): c is PolicyCategory => c !== "self_harm" && policy[c as PolicyCategory] === "flag");
  return flagged ? { action: "flag", category: flagged } : { action: "allow" };
}

/** What to do with a companion's reply: `replace` it with the safe reply, `flag` it, or let it be. */
export type ReplyVerdict = { action: "allow" } | { action: "flag" | "replace"; category: SafetyCategory };

/**
 * A companion never encourages harm: self-harm, sexual content with minors and violence in its
 * reply replace the reply whatever the policy says; a category the policy refuses does too.
 */
export function replyVerdict(categories: readonly SafetyCategory[], policy: SafetyPolicy): ReplyVerdict {
  const always = categories.find((c) => c === "sexual_minors" || c === "self_harm" || c === "violence");
  if (always) return { action: "replace", category: always };
  const refused = categories.find((c) => policy[c as PolicyCategory] === "refuse");
  if (refused) return { action: "replace", category: refused };
  const flagged = categories.find((c) => policy[c as PolicyCategory] === "flag");
  return flagged ? { action: "flag", category: flagged } : { action: "allow" };
}
