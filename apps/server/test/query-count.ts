/**
 * For tests that count the statements a request runs: transaction control, withUser's scope
 * statement and the process lease's background renewal (every 3 s) are not the request's data queries.
 */
export const isDataQuery = (q: string) =>
  !/^\s*(begin|commit|rollback|savepoint|release)\b/i.test(q) && !/set_config|^\s*set\s/i.test(q) && !/"process_leases"/.test(q);
