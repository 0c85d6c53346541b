// Hive Gateway serving the composed supergraph (see mesh.config.ts). Defaults, except
// what a benchmark needs: no landing page or GraphiQL, warnings only in the log.
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  graphiql: false,
  landingPage: false,
  logging: 'warn',
});
