// The flat config a user writes: the plugin's recommended config, nothing else.
import lockScope from "eslint-plugin-lock-scope";

export default [lockScope.configs.recommended];
