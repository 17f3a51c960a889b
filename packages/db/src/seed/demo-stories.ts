/**
 * The demo companions' stories: two per companion, two or three slides each. Slides are
 * SVG files generated from this data (demo-media.ts) and committed under
 * apps/server/media/demo/<slug>/<n>.svg, numbered 1..n across a companion's stories.
 */
export interface DemoSlide {
  /** Large text on the slide. */
  title: string;
  /** A line under it. */
  text: string;
  /** Gradient from, to (CSS colors). */
  colors: readonly [string, string];
}

export interface DemoStory {
  caption: string;
  /** How long before seeding the story was "posted"; newest last. */
  postedHoursAgo: number;
  slides: readonly DemoSlide[];
}

export const DEMO_SLIDE_WIDTH = 1080;
export const DEMO_SLIDE_HEIGHT = 1920;

export const demoStories: Readonly<Record<string, readonly DemoStory[]>> = {
  luna: [
    {
      caption: "Perseids tonight",
      postedHoursAgo: 5,
      slides: [
        { title: "Perseids peak tonight", text: "Up to 60 meteors an hour after midnight", colors: ["#0b1d51", "#5b3a9b"] },
        { title: "Rooftop setup", text: "Blanket, thermos, zero light pollution", colors: ["#1b2a6b", "#2f7fb5"] },
        { title: "Make a wish", text: "Tell me yours tomorrow?", colors: ["#2d1b4e", "#c2477f"] },
      ],
    },
    {
      caption: "Small wins",
      postedHoursAgo: 1,
      slides: [
        { title: "Moon is 93% full", text: "Bright enough to read by", colors: ["#232946", "#b8c1ec"] },
        { title: "Small win of the day", text: "Finally found Andromeda with bare eyes", colors: ["#1f1147", "#6f5bd3"] },
      ],
    },
  ],
  rex: [
    {
      caption: "Sunrise run",
      postedHoursAgo: 6,
      slides: [
        { title: "5:40 am", text: "Trailhead, headlamp on, let's go", colors: ["#ff7e5f", "#feb47b"] },
        { title: "12 km done", text: "Legs on fire, worth it", colors: ["#f83600", "#f9d423"] },
        { title: "Your turn", text: "Ten-minute walk today. Deal?", colors: ["#e65c00", "#f9d423"] },
      ],
    },
    {
      caption: "Bouldering",
      postedHoursAgo: 2,
      slides: [
        { title: "New problem: V4", text: "Fell off the last hold six times", colors: ["#134e5e", "#71b280"] },
        { title: "Seventh try", text: "SENT IT", colors: ["#0f9b0f", "#a8e063"] },
      ],
    },
  ],
  mira: [
    {
      caption: "New arrivals",
      postedHoursAgo: 7,
      slides: [
        { title: "Box of 1970s paperbacks", text: "Smells exactly like you'd hope", colors: ["#5d4157", "#a8caba"] },
        { title: "Find of the week", text: "A first edition, pencil notes included", colors: ["#614385", "#516395"] },
      ],
    },
    {
      caption: "Reading nook",
      postedHoursAgo: 3,
      slides: [
        { title: "Rainy Tuesday", text: "Shop's empty, kettle's on", colors: ["#3a6073", "#16222a"] },
        { title: "Now reading", text: "Something short and devastating", colors: ["#4b134f", "#c94b4b"] },
        { title: "Your pick?", text: "Tell me your mood, I'll find the book", colors: ["#8e44ad", "#c0392b"] },
      ],
    },
  ],
  kai: [
    {
      caption: "2am session",
      postedHoursAgo: 8,
      slides: [
        { title: "new loop", text: "rain sample + old rhodes chords", colors: ["#0f2027", "#2c5364"] },
        { title: "tape hiss on", text: "imperfect on purpose", colors: ["#283c86", "#45a247"] },
      ],
    },
    {
      caption: "breathe",
      postedHoursAgo: 4,
      slides: [
        { title: "reminder", text: "you can take a break", colors: ["#1d4350", "#a43931"] },
        { title: "four in, four out", text: "that's the whole exercise", colors: ["#136a8a", "#267871"] },
      ],
    },
  ],
  sol: [
    {
      caption: "Pop-up prep",
      postedHoursAgo: 9,
      slides: [
        { title: "40 litres of broth", text: "Eight hours and counting", colors: ["#d66d75", "#e29587"] },
        { title: "Tonight's menu", text: "Miso corn soup, charred greens, peach cake", colors: ["#f7971e", "#ffd200"] },
        { title: "Family meal", text: "Staff eat first, always", colors: ["#ee0979", "#ff6a00"] },
      ],
    },
    {
      caption: "Quick recipe",
      postedHoursAgo: 0.5,
      slides: [
        { title: "Five-minute eggs", text: "Soy, butter, a lot of pepper", colors: ["#f12711", "#f5af19"] },
        { title: "Eat it warm", text: "Feelings look smaller after", colors: ["#c31432", "#f5af19"] },
      ],
    },
  ],
};

/** Storage key of a companion's n-th demo slide (1-based, across its stories). */
export const demoSlideKey = (slug: string, n: number) => `demo/${slug}/${n}.svg`;
