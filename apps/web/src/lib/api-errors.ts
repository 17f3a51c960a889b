import { errorCode, errorReason, isTRPCClientError } from "@companion/client";

/** The server's field errors of a BAD_REQUEST (docs/errors.md: `data.zodError.fieldErrors`), {} otherwise. */
export function fieldErrorsOf(err: unknown): Record<string, string[] | undefined> {
  return isTRPCClientError(err) ? (err.data?.zodError?.fieldErrors ?? {}) : {};
}

/** Minutes (rounded up) from a `retryAfterMs`, for "try again in N minutes". */
function retryHint(err: unknown): string {
  const ms = isTRPCClientError(err) ? err.data?.retryAfterMs : null;
  if (!ms) return "";
  const seconds = Math.ceil(ms / 1000);
  return seconds < 120 ? ` Try again in ${seconds} s.` : ` Try again in ${Math.ceil(seconds / 60)} min.`;
}

/**
 * A failed chat call said in words a person can act on. The reasons are those docs/errors.md
 * lists for messages.send/start and the chat controls; anything else falls back to the message.
 */
export function chatErrorMessage(err: unknown): string {
  switch (errorReason(err) ?? errorCode(err)) {
    case "SAFETY_REFUSED":
      return "That message can't be sent: it breaks the safety rules. Please rephrase it.";
    case "QUOTA_EXCEEDED":
      return `You've reached today's limit.${retryHint(err)}`;
    case "TOO_MANY_REQUESTS":
      return `You're sending messages too fast.${retryHint(err)}`;
    case "NOT_CONNECTED":
      return "Connect with this companion first.";
    case "CONFLICT":
      return "The conversation has moved on (or a reply is still being written). Reload and try again.";
    case "IDEMPOTENCY_KEY_REUSED":
      return "That message was already sent with different text. Send it again.";
    case "NOT_FOUND":
      return "This conversation or message no longer exists.";
    case "BAD_REQUEST": {
      const fields = Object.values(fieldErrorsOf(err)).flat().filter(Boolean);
      return fields.length > 0 ? fields.join(" ") : "That message can't be sent as it is.";
    }
    default:
      return err instanceof Error && err.message ? err.message : "Something went wrong. Try again.";
  }
}
