import type { MoodLabel } from "./mood.ts";

/**
 * The built-in offline phrase matrix: a reply is an opener chosen by mood, then a line
 * chosen by personality trait about the message's topic, then sometimes a memory or a mood
 * closer. `{topic}` is a noun phrase or a name from the message, as the companion says it
 * ("your sourdough starter", "Ana"); lines avoid verb agreement with it ("cats is").
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
    "{topic}? Now you've got my attention, tell me everything.",
    "Ha, {topic}! I bet there's a fun story hiding in there.",
    "Ooh, {topic}. Race you to the best part of that story!",
  ],
  caring: [
    "You mentioned {topic}. How are you feeling about all this?",
    "I'm right here if you want to talk about {topic}.",
    "Thank you for telling me about {topic}. Are you looking after yourself?",
  ],
  curious: [
    "{topic}, huh? What got you thinking about that?",
    "Tell me more about {topic}, I really want to understand.",
    "Wait, {topic}? I have so many questions.",
  ],
  witty: [
    "{topic}. Bold topic choice, I approve.",
    "Ah, {topic}. The plot thickens.",
    "{topic}? I'd make a joke, but you'd see it coming.",
  ],
  calm: [
    "Let's talk about {topic} slowly, one thing at a time.",
    "{topic}... let's sit with that for a moment.",
    "There's no hurry. Breathe, then tell me about {topic}.",
  ],
  adventurous: [
    "{topic}? Sounds like the start of an adventure.",
    "Let's dive right into {topic}!",
    "I'd love to explore {topic} with you.",
  ],
  shy: [
    "Um, {topic}... I'd like to hear more, if you want to share.",
    "{topic}? I, um, think that's really interesting.",
  ],
  romantic: [
    "{topic}... you make even that sound lovely.",
    "I could listen to you talk about {topic} all night.",
  ],
  default: ["You mentioned {topic}, and I'm curious where that goes.", "{topic}. Tell me more."],
};

/** Used when the user's message names nothing worth echoing (e.g. "hi", "ok", "it was rough"). */
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
