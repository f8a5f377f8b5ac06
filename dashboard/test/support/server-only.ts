// `server-only` throws when imported outside a React Server environment; unit tests of
// server-side modules run in plain Node, where that guard has nothing to protect.
export {};
