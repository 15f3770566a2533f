// The flat config the README shows: typescript-eslint's parser, then the plugin's recommended config.
import tseslint from "typescript-eslint";
import lockScope from "eslint-plugin-lock-scope";

export default [tseslint.configs.base, lockScope.configs.recommended];
