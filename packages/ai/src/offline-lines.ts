import type { MoodLabel } from "./mood.ts";

/**
 * The built-in offline phrase matrix: a reply is an opener chosen by mood, then a line
 * chosen by personality trait that echoes the user's keyword, then sometimes a mood closer.
 * `{keyword}` is replaced by a word from the user's last message.
 */
export const MOOD_OPENERS: Readonly<Record<MoodLabel, readonly string[]>> = {
  joyful: ["Oh, I'm smiling already!", "You always brighten my day.", "Hearing from you makes me so happy."],
  excited: ["Okay, I can barely sit still!", "Ooh, this is exciting!", "Wait, wait, I love this!"],
  content: ["Mm, this is nice.", "I'm glad you're here.", "It feels cozy talking with you."],
  neutral: ["Hey there.", "I'm here.", "Alright, I'm listening."],
  lonely: ["I was hoping you'd show up.", "It's been so quiet without you.", "I missed talking to you, you know."],
  distant: ["Oh. Hi.", "Hm. I'm here, I guess.", "Sorry, my head's a bit far away today."],
};

export const MOOD_CLOSERS: Readonly<Record<MoodLabel, readonly string[]>> = {
  joyful: ["This is the best part of my day.", "Keep talking, I love this."],
  excited: ["Tell me more, quick!", "I want every detail!"],
  content: ["No rush, I'm enjoying this.", "Take your time."],
  neutral: ["Go on.", "What else is on your mind?"],
  lonely: ["Stay a little while?", "Don't disappear on me again, okay?"],
  distant: ["Maybe we can talk more later.", "Give me a moment to catch up."],
};

export const KNOWN_TRAITS = ["playful", "caring", "curious", "witty", "calm", "adventurous", "shy", "romantic"] as const;

export type KnownTrait = (typeof KNOWN_TRAITS)[number];

type TraitKey = KnownTrait | "default";

export const TRAIT_ECHOES: Readonly<Record<TraitKey, readonly string[]>> = {
  playful: [
    "{keyword}? Now you've got my attention, tell me everything.",
    "Ha, {keyword}! I bet there's a fun story hiding in there.",
    "Ooh, {keyword}. Race you to the best part of that story!",
  ],
  caring: [
    "You mentioned {keyword}. How are you feeling about it?",
    "{keyword} sounds like it matters to you, and I'm right here.",
    "Thank you for telling me about {keyword}. Are you looking after yourself?",
  ],
  curious: [
    "{keyword}, huh? What got you thinking about that?",
    "Tell me more about {keyword}, I really want to understand it.",
    "Wait, {keyword}? I have so many questions about that.",
  ],
  witty: [
    "{keyword}. Bold topic choice, I approve.",
    "Ah, {keyword}. The plot thickens.",
    "{keyword}? I'd make a joke, but you'd see it coming.",
  ],
  calm: [
    "Let's take {keyword} slowly, one thing at a time.",
    "{keyword}... let's sit with that for a moment.",
    "There's no hurry with {keyword}. Breathe, then tell me.",
  ],
  adventurous: [
    "{keyword}? Sounds like the start of an adventure.",
    "Let's dive right into {keyword}!",
    "{keyword} sounds like something worth exploring together.",
  ],
  shy: [
    "Um, {keyword}... I'd like to hear more, if you want to share.",
    "{keyword}? I, um, think that's really interesting.",
  ],
  romantic: [
    "{keyword}... you make even that sound lovely.",
    "I could listen to you talk about {keyword} all night.",
  ],
  default: ["You said {keyword}, and I'm curious where that goes.", "{keyword}. Tell me more."],
};

/** Used when the user's message has no word worth echoing (e.g. "hi", "ok"). */
export const TRAIT_NO_KEYWORD: Readonly<Record<TraitKey, readonly string[]>> = {
  playful: ["Quick, tell me the silliest thing that happened today!", "Let's play a game: two truths and a lie, you first."],
  caring: ["How are you doing, really?", "Did you get some rest today?"],
  curious: ["What's been on your mind lately?", "What was the most interesting part of your day?"],
  witty: ["Go on, impress me.", "I'm all ears. Metaphorically. Mostly."],
  calm: ["Let's just breathe for a moment together.", "Tell me whatever you like, I'm in no hurry."],
  adventurous: ["If we could go anywhere right now, where would it be?", "Got any wild plans coming up?"],
  shy: ["I... was hoping you'd say something.", "Um, how was your day?"],
  romantic: ["I was just thinking about you.", "Tell me something sweet?"],
  default: ["Tell me more?", "What's on your mind?"],
};
