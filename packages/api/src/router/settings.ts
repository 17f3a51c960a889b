import { getUserSettings, updateUserSettings } from "@companion/db";
import { settingsGetOutput, settingsUpdateInput, settingsUpdateOutput } from "@companion/validators";
import { router, userProcedure } from "../trpc.ts";
import { minuteOfDay, toWireSettings } from "../wire/settings.ts";

/** My own settings (docs/memory.md, docs/proactive.md): about me, time zone, quiet hours, companions writing first. */
export const settingsRouter = router({
  get: userProcedure.output(settingsGetOutput).query(async ({ ctx }) => toWireSettings(await getUserSettings(ctx.db, { userId: ctx.user.id }))),

  /** Changes the given fields only. BAD_REQUEST on an unknown time zone or a malformed HH:MM. */
  update: userProcedure
    .input(settingsUpdateInput)
    .output(settingsUpdateOutput)
    .mutation(async ({ ctx, input }) => {
      const { quietHours, ...rest } = input;
      const quiet = quietHours === undefined ? undefined : quietHours === null ? null : { startMinute: minuteOfDay(quietHours.start), endMinute: minuteOfDay(quietHours.end) };
      return toWireSettings(await updateUserSettings(ctx.db, { userId: ctx.user.id, ...rest, quiet }));
    }),
});
