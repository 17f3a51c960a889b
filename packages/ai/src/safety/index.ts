export { classifyMessageOffline, classifyReplyOffline } from "./classifier.ts";
export { createModeration, type Moderate } from "./moderation.ts";
export { DEFAULT_SAFETY_POLICY, messageVerdict, parseSafetyPolicy, replyVerdict, type MessageVerdict, type SafetyCategory, type SafetyPolicy } from "./policy.ts";
export { crisisReply, safeReply } from "./crisis.ts";
export { createSentenceGuard } from "./sentence-guard.ts";
