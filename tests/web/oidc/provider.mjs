// A real OpenID provider (the npm package oidc-provider) for the console's single sign-on tests.
// Usage: node provider.mjs PORT REDIRECT_URI CLIENT_SECRET
// Any login name is accepted at its development login page; names starting with "dpo" are in
// the groups "tg-dpo" and "staff", every other name only in "staff".
import Provider from "oidc-provider";

const [port, redirectUri, clientSecret] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "trustguardian",
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: {
    openid: ["sub"],
    profile: ["name", "preferred_username"],
    email: ["email"],
    groups: ["groups"],
  },
  scopes: ["openid", "profile", "email", "groups"],
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ["test-only-cookie-key"] },
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({
      sub: id,
      name: id,
      preferred_username: id,
      email: `${id}@example.it`,
      groups: id.startsWith("dpo") ? ["tg-dpo", "staff"] : ["staff"],
    }),
  }),
});

provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
