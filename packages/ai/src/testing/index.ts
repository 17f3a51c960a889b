export {
  createFakeOpenAIServer,
  FAKE_REPLY,
  FAKE_SENTIMENT_REPLY,
  type FakeBehavior,
  type FakeOpenAIServer,
} from "./fake-openai.ts";
export { startFakeProvider, type FakeProvider } from "./fake-provider.ts";
