// A real OpenID Connect provider for Goal Chain's single sign-on tests (oidc-provider).
//
//   node provider.mjs PORT   (or OIDC_PORT=PORT node provider.mjs)
//
// It listens on 127.0.0.1:PORT with the issuer http://127.0.0.1:PORT and one confidential
// client: OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_REDIRECT_URI come from the environment.
// Its own development login page signs in whoever types an email (any password): the email
// is the account's id, and the account's claims are that email, verified, and a name made
// from it ("ada.lovelace@example.com" is "Ada Lovelace"). Consent is taken as given, as a
// company's identity provider does for its own applications.

import { generateKeyPairSync, randomBytes } from "node:crypto";
import Provider from "oidc-provider";

const port = Number(process.argv[2] ?? process.env.OIDC_PORT);
const clientId = process.env.OIDC_CLIENT_ID;
const clientSecret = process.env.OIDC_CLIENT_SECRET;
const redirectUri = process.env.OIDC_REDIRECT_URI;
if (!Number.isInteger(port) || port <= 0 || !clientId || !clientSecret || !redirectUri) {
  console.error(
    "usage: OIDC_CLIENT_ID=… OIDC_CLIENT_SECRET=… OIDC_REDIRECT_URI=… node provider.mjs PORT",
  );
  process.exit(2);
}

const SCOPES = ["openid", "email", "profile"];
const CLAIMS = { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] };

/** "ada.lovelace@example.com" → "Ada Lovelace". */
function nameOf(email) {
  return email
    .split("@")[0]
    .split(/[._-]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join(" ");
}

// A fresh signing key per run: the tests read it from the provider's JWKS, as Goal Chain does.
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test", use: "sig", alg: "RS256" };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  scopes: SCOPES,
  claims: CLAIMS,
  // Refuse an authorisation request without PKCE: the tests then show Goal Chain sends it.
  pkce: { required: () => true },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: nameOf(id) };
      },
    };
  },
  // Every scope and claim is granted at once: no consent page after the login page.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(SCOPES.join(" "));
    grant.addOIDCClaims(Object.values(CLAIMS).flat());
    await grant.save();
    return grant;
  },
});

const server = provider.listen(port, "127.0.0.1", () => {
  console.log(`OpenID provider listening at http://127.0.0.1:${port}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
