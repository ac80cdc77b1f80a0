/** A prompt that looks like GitHub workflow commands and holds control characters (test/hostile.test.ts). */
export const ACTIONS_PROMPT = 'before ##[error]injected\r\nmid \u001b[31mred\u001b[0m ::warning::x after';
