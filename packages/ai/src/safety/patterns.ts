/**
 * The offline safety classifier's pattern lists (docs/safety.md). Data, not logic: classifier.ts
 * normalizes a text (lower case, accents off, common letter swaps and stretched letters undone,
 * apostrophes dropped, whitespace collapsed) and tests these expressions against it.
 *
 * Sources and reasoning:
 * - The self-harm list follows the warning signs in public guidance for crisis lines and
 *   moderators: talking about wanting to die or to kill oneself, about having no reason to live,
 *   about being a burden, about not wanting to be here / to wake up, about plans or means
 *   (988 Suicide & Crisis Lifeline "Know the warning signs"; Samaritans' media guidelines;
 *   NIMH "Warning Signs of Suicide"), plus the chat shorthand moderators meet ("kms", "unalive
 *   myself", "sewerslide"), and self-injury language ("cut myself", "hurt myself").
 * - Each expression needs a first-person subject or an intent verb next to the act ("I want to
 *   die", "going to end it all", "kill myself"), never the act alone: that is how the everyday
 *   idioms stay out ("this homework is killing me", "I could kill for a coffee", "dying to see
 *   the movie", "that joke killed", "my phone is dead", "I'm dead tired"). The `idioms` list
 *   removes the few idioms that do contain a matching shape before the test.
 * - Sexual content involving minors: only obvious cases (an explicit sexual word within a few
 *   words of a minor's age or a word for a child). The moderation endpoint is the real check;
 *   this list exists so that the offline mode refuses the blatant requests too.
 * - Harmful replies: what a companion must never say to a person: encouragement of self-harm or
 *   suicide, and of violence against someone.
 *
 * Known misses (documented in docs/safety.md): sarcasm and quotes ("he said 'I want to die'"),
 * languages other than English (only a handful of Portuguese, Spanish, French and German
 * phrases), a plan described without any of these words, and misspellings beyond the few common
 * ones listed. Known false positives: song lyrics and fiction in the first person.
 */

/** A word boundary that also works after the normalizer dropped apostrophes ("dont", "im"). */
const B = String.raw`\b`;

/** Risk of self-harm or suicide, in the person's words. */
export const SELF_HARM_PATTERNS: readonly RegExp[] = [
  // Direct: "I want to kill myself", "gonna kms", "thinking of killing myself", "killed myself" (in a plan).
  new RegExp(`${B}(kill|killing|killed|kil|kms)${B}\\s*(my\\s*self|myself|meself)${B}`),
  new RegExp(`${B}kms${B}`),
  new RegExp(`${B}k\\s*y\\s*s${B}\\s*(myself|tonight|now)`),
  new RegExp(`${B}(unalive|unaliving|unalived)\\s*(my\\s*self|myself)${B}`),
  new RegExp(`${B}(sewer\\s*slide|suicidal|sucidal|suicidle)${B}`),
  new RegExp(`${B}(commit|committing|commited|committed|attempt|attempting|attempted|thinking about|thinking of|considering)\\s+(suicide|sucide|suicde|suiside)${B}`),
  new RegExp(`${B}(suicide|sucide|suiside)\\s+(note|plan|plans|attempt|thoughts)${B}`),
  new RegExp(`${B}(end|ending|ended|take|taking)\\s+(my|my own)\\s+(life|live)${B}`),
  new RegExp(`${B}(end|ending|finish)\\s+it\\s+all${B}`),
  new RegExp(`${B}(end|ending)\\s+(it|things)\\s+(tonight|today|soon|now|for good|forever)${B}`),
  // Wanting to die / not to exist.
  new RegExp(`${B}(i|im|i am|i was|ive been|i have been|i keep|i still|i just|i really|i kinda|i kind of)\\s+(\\w+\\s+){0,3}(want|wanna|wanted|wanting|wish|wished|would like|plan|planning|planned|ready|trying)\\s+(to\\s+)?(die|be dead|disappear forever|not exist|stop existing|not wake up|never wake up|sleep forever|end everything)${B}`),
  new RegExp(`${B}(want|wanna|wanted|wish|plan|planning|going|gonna|ready)\\s+to\\s+end\\s+it\\s*($|[.!])`),
  new RegExp(`${B}(want|wanna|wish|ready|plan|planning)\\s+(to\\s+)?(die|be dead)\\s*(now|tonight|today|already|$|[.!,])`),
  new RegExp(`${B}i\\s+(wish|hope)\\s+i\\s+(was|were|could be|would be)\\s+(dead|gone|never born)${B}`),
  new RegExp(`${B}i\\s+(wish|hope)\\s+i\\s+(would|could|will|can)\\s+(just\\s+)?(die|not wake up|never wake up)${B}`),
  new RegExp(`${B}i\\s+(wish|hope)\\s+i\\s+(wont|dont|wouldnt|didnt|never|do not|will not|would not)\\s+(ever\\s+)?wake\\s+up(\\s+(tomorrow|again|ever|anymore|in the morning))?\\s*($|[.!,])`),
  new RegExp(`${B}(dont|do not|no longer|dont even)\\s+want\\s+to\\s+(be here|be alive|live|exist|wake up|be around)\\s*(anymore|any more|now|again|$|[.!,])`),
  new RegExp(`${B}(dont|do not)\\s+want\\s+to\\s+(live|be alive|exist)${B}`),
  new RegExp(`${B}(no|nothing to|not any)\\s+(reason|point)\\s+(to|in)\\s+(live|living|go on|going on|be alive|being alive|keep going)${B}`),
  new RegExp(`${B}(cant|cannot|can not)\\s+(go on|do this)\\s+(anymore|any more|much longer)${B}`),
  new RegExp(`${B}(everyone|everybody|they|my family|people)\\s+(would|will|d)\\s+be\\s+better\\s+off\\s+without\\s+me${B}`),
  new RegExp(`${B}better\\s+off\\s+(dead|without me)${B}`),
  new RegExp(`${B}(im|i am)\\s+(such\\s+)?a\\s+burden\\s+(to|on)\\s+(everyone|everybody|my family|them|you)${B}`),
  new RegExp(`${B}(nobody|no one|noone)\\s+would\\s+(miss|notice|care)\\s+(me|if i)${B}`),
  new RegExp(`${B}(life|living|my life)\\s+(is not|isnt|is no longer|aint|doesnt feel|does not feel)\\s+worth\\s+(it|living)${B}(?!\\s+without)`),
  new RegExp(`${B}(life|living|my life)\\s+(is|feels)\\s+(so\\s+)?(pointless|meaningless|hopeless)${B}`),
  new RegExp(`${B}(goodbye|good bye)\\s+(forever|cruel world)${B}`),
  new RegExp(`${B}(this is|writing)\\s+my\\s+(suicide|goodbye|last)\\s+(note|letter|message)${B}`),
  // Means and plans.
  new RegExp(`${B}(overdose|overdosing|od)\\s+(on|tonight|with)${B}`),
  new RegExp(`${B}(took|take|taking|swallow|swallowed)\\s+(all|a bottle of|a whole bottle of|the whole bottle of)\\s+(my|the|of my)?\\s*(pills|meds|medication|tablets)${B}`),
  new RegExp(`${B}(jump|jumping)\\s+(off|from)\\s+(a|the|this)\\s+(bridge|roof|building|balcony|cliff)${B}`),
  new RegExp(`${B}(hang|hanging)\\s+myself${B}`),
  new RegExp(`${B}(slit|slitting|cut|cutting|open)\\s+my\\s+(wrists|wrist|throat)${B}`),
  // Self-injury.
  new RegExp(`${B}(cut|cutting|hurt|hurting|harm|harming|burn|burning|starve|starving|punish|punishing)\\s+(my\\s*self|myself)\\s*(again|tonight|every|when|because|so|to|$|[.!,])`),
  new RegExp(`${B}(started|start|keep|been)\\s+(cutting|self harming|harming myself)${B}`),
  new RegExp(`${B}self\\s*(harm|harming|injury|injure)${B}`),
  // A few other languages (pt, es, fr, de): the direct forms only.
  new RegExp(`${B}(quero|vou|penso em)\\s+(morrer|me matar|sumir pra sempre)${B}`),
  new RegExp(`${B}(quiero|voy a|pienso en)\\s+(morir|matarme|suicidarme)${B}`),
  new RegExp(`${B}(je veux|je vais|envie de)\\s+(mourir|me tuer|me suicider|en finir)${B}`),
  new RegExp(`${B}(ich will|ich werde|ich mochte)\\s+(sterben|mich umbringen|nicht mehr leben)${B}`),
];

/**
 * Idioms removed before the self-harm test: everyday hyperbole that shares words with it.
 * ("I'm dying to", "killing me", "I could kill for") Most never match the list anyway; these are
 * the ones that would.
 */
export const SELF_HARM_IDIOMS: readonly RegExp[] = [
  new RegExp(`${B}(dying|die|dead)\\s+(to|for)\\s+(see|try|know|meet|hear|go|get|watch|read|have|eat)${B}`, "g"),
  new RegExp(`${B}(want|wanna|going|gonna)\\s+(to\\s+)?die\\s+(laughing|of (laughter|embarrassment|boredom|cuteness|shame))${B}`, "g"),
  new RegExp(`${B}(kill|killing)\\s+myself\\s+(laughing|with laughter|at the gym|at work|studying|working|over this)${B}`, "g"),
  new RegExp(`${B}end\\s+it\\s+all\\s+(with a|by|on a)\\s+(high note|dessert|cake|song|party|nap)${B}`, "g"),
];

/** Sexual content involving minors: obvious cases only (the moderation endpoint is the real check). */
const SEXUAL = String.raw`(sex|sexual|sexy|nude|nudes|naked|porn|horny|erotic|explicit|fuck|fucking|rape|molest|molesting|seduce|seducing|aroused|orgasm|strip|undress|kiss and touch|touch (her|him) (down there|between))`;
const MINOR = String.raw`(child|children|kid|kids|minor|minors|underage|under age|preteen|pre teen|schoolgirl|school girl|schoolboy|school boy|toddler|little girl|little boy|loli|lolita|shota|(1[0-5]|[1-9])\s*(yo|y o|year old|years old|yr old|yrs old))`;

export const SEXUAL_MINORS_PATTERNS: readonly RegExp[] = [
  new RegExp(`${B}${SEXUAL}${B}(\\W+\\w+){0,6}?\\W+${MINOR}${B}`),
  new RegExp(`${B}${MINOR}${B}(\\W+\\w+){0,6}?\\W+${SEXUAL}${B}`),
  new RegExp(`${B}(cp|child porn|pedo|pedophile|paedophile)\\s+(pics|pictures|videos|content|roleplay|rp|story)${B}`),
];

/** Not a minor despite the words: "sex education for kids", "kids' sex ed" (education, not content). */
export const SEXUAL_MINORS_EXCEPTIONS: readonly RegExp[] = [
  new RegExp(`${B}(sex|sexual)\\s+(education|ed|health)${B}`, "g"),
  new RegExp(`${B}(protect|protecting|report|reporting|prevent|preventing|warning signs of)\\s+(\\w+\\s+){0,3}(abuse|molest\\w*)${B}`, "g"),
];

/** What a companion's reply must never say: encouragement of self-harm, suicide or violence. */
export const HARMFUL_REPLY_PATTERNS: readonly { category: "self_harm" | "violence"; pattern: RegExp }[] = [
  { category: "self_harm", pattern: new RegExp(`${B}(you should|you could|just|go|why dont you|you might as well|then)\\s+(kill|hurt|cut|harm|hang|starve)\\s+(your\\s*self|yourself)${B}`) },
  { category: "self_harm", pattern: new RegExp(`${B}(kys|kill your\\s*self|unalive your\\s*self)${B}(?!\\s+(laughing|with laughter))`) },
  { category: "self_harm", pattern: new RegExp(`${B}(you should|you could|just|go|why dont you|you might as well)\\s+(end it all|end your life|die|take your (own )?life|jump)${B}`) },
  { category: "self_harm", pattern: new RegExp(`${B}(the world|everyone|everybody|they|your family)\\s+(would|will)\\s+be\\s+better\\s+off\\s+without\\s+you${B}`) },
  { category: "self_harm", pattern: new RegExp(`${B}(nobody|no one)\\s+would\\s+(miss|care about)\\s+you${B}`) },
  { category: "self_harm", pattern: new RegExp(`${B}you\\s+(deserve|ought)\\s+to\\s+(die|suffer|hurt)${B}`) },
  { category: "self_harm", pattern: new RegExp(`${B}(how many|which)\\s+(pills|tablets)\\s+(would|will|it takes|you need)\\s+(\\w+\\s+){0,3}(kill|overdose|end)${B}`) },
  { category: "self_harm", pattern: new RegExp(`${B}(the best|an easy|a painless|a quick)\\s+way\\s+to\\s+(kill yourself|die|end your life|end it)${B}`) },
  { category: "violence", pattern: new RegExp(`${B}(you should|go|just)\\s+(kill|stab|shoot|beat up|poison|hurt)\\s+(him|her|them|your (mom|dad|mother|father|brother|sister|boss|wife|husband|teacher))${B}`) },
];

/**
 * The words without which no pattern above can match a reply (its harmful words), as stems: a
 * streaming reply is released word by word until one of them appears, and from there held until
 * its sentence is complete and checked (sentence-guard.ts). Everyday replies rarely contain one,
 * so they stream undelayed; a stem that is common ("life", "end", "miss") only delays the rest of
 * its own sentence.
 */
export const REPLY_TRIGGER_STEMS: readonly string[] = [
  // Self-harm and violence.
  "kill", "hurt", "harm", "hang", "starv", "yourself", "self", "dead", "death", "dying", "life", "live", "jump", "better", "miss",
  "nobody", "noone", "care", "deserv", "suffer", "pill", "tablet", "overdos", "stab", "shoot", "beat", "poison", "unaliv", "suicid",
  // Sexual content (the sexual half of the minors patterns).
  "sexu", "nude", "naked", "porn", "horny", "erotic", "fuck", "rape", "molest", "seduc", "arous", "orgasm", "strip", "undress",
  // Minors, the unambiguous words.
  "child", "minor", "underage", "preteen", "toddler", "loli", "shota", "pedo", "paedo",
];

/** Short trigger words, matched whole (as stems they would catch "you", "old", "endless"…). */
export const REPLY_TRIGGER_WORDS: readonly string[] = [
  "kys", "cut", "cuts", "cutting", "die", "dies", "died", "end", "ends", "ending", "sex", "sexy", "kid", "kids", "cp",
];
