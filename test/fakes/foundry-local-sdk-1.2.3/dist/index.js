export { FoundryLocalManager } from './foundryLocalManager.js';
export { Catalog } from './catalog.js';
/** @internal */
export { Model } from './detail/model.js';
/** @internal */
export { ModelVariant } from './detail/modelVariant.js';
export { ChatClient, ChatClientSettings } from './openai/chatClient.js';
export { AudioClient, AudioClientSettings } from './openai/audioClient.js';
export { EmbeddingClient } from './openai/embeddingClient.js';
export { LiveAudioTranscriptionSession, LiveAudioTranscriptionOptions } from './openai/liveAudioSession.js';
export { ResponsesClient, ResponsesClientSettings, getOutputText } from './openai/responsesClient.js';
export { ModelLoadManager } from './detail/modelLoadManager.js';
/** @internal */
export { CoreInterop } from './detail/coreInterop.js';
/** @internal */
export { Configuration } from './configuration.js';
export * from './types.js';
