import { defineConfig } from 'tsup';

// One entry per subpath so a user who imports `@qdesk/channels/twilio` never loads nodemailer or web-push.
const subpaths = ['twilio', 'smtp', 'graph', 'web-push', 'fcm', 'apns', 'console'] as const;

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    ...Object.fromEntries(subpaths.map((name) => [`${name}/index`, `src/${name}/index.ts`])),
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Optional peers stay external: the subpath that needs one loads it at run time.
  external: ['nodemailer', 'web-push'],
});
