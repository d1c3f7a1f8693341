// A real OpenID Connect provider for the tests (the certified `oidc-provider` package), on
// 127.0.0.1 only. One process serves several issuers under path prefixes, so one run can play
// a school's Microsoft tenant, another trust's tenant and Google Workspace.
//
//   node tests/sso/idp.mjs CONFIG.json
//
// CONFIG: {"port": N, "accounts_file": PATH, "issuers": [{"prefix": "/ms/<tenant>",
//          "clients": [{client_id, client_secret, redirect_uris, ...}]}]}
// ACCOUNTS (re-read on every use, so a test can change an email or disable someone):
//   {"<login>": {"claims": {...}, "amr": ["pwd"], "disabled": false}}; the login is the `sub`.
// The sign-in page is a bare form: POST login=<login> to /interaction/<uid>.

import { readFileSync } from "node:fs";
import { createServer } from "node:http";

import Provider, { interactionPolicy } from "oidc-provider";

// Entra ID and Google accept prompt=select_account (choose which of your accounts); so does this
// provider, which simply carries on with the account signed in.
const policy = interactionPolicy.base();
// An account switched off by the school's IT: its existing session at the provider no longer
// counts, so a silent check (prompt=none) is answered login_required, as Entra ID and Google do.
policy.get("login").checks.add(
  new interactionPolicy.Check("account_disabled", "the account is switched off", "login_required", (ctx) =>
    ctx.oidc.session.accountId && !account(ctx.oidc.session.accountId)
      ? interactionPolicy.Check.REQUEST_PROMPT
      : interactionPolicy.Check.NO_NEED_TO_PROMPT,
  ),
);
policy.add(new interactionPolicy.Prompt({ name: "select_account", requestable: true }));

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));

function account(login) {
  const all = JSON.parse(readFileSync(config.accounts_file, "utf8"));
  const found = all[login];
  return found && !found.disabled ? found : undefined;
}

function makeProvider({ prefix, clients }) {
  const issuer = `http://127.0.0.1:${config.port}${prefix}`;
  const provider = new Provider(issuer, {
    clients,
    async findAccount(ctx, id) {
      const found = account(id);
      if (!found) return undefined;
      return { accountId: id, claims: async () => ({ ...found.claims, sub: id }) };
    },
    claims: {
      openid: ["sub", "tid", "hd", "xms_edov"],
      email: ["email", "email_verified"],
      profile: ["name"],
    },
    // Entra ID and Google put these claims in the ID token itself.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: {
      policy,
      url: (ctx, interaction) => `${prefix}/interaction/${interaction.uid}`,
    },
    // First-party client: no consent screen, as with an app an IT technician has approved.
    async loadExistingGrant(ctx) {
      const grantId =
        ctx.oidc.result?.consent?.grantId ||
        ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
    cookies: { keys: ["tests-only-not-secret"] },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
  });
  return { prefix, provider, callback: provider.callback() };
}

const issuers = config.issuers.map(makeProvider);

function readBody(req) {
  return new Promise((resolve) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => resolve(new URLSearchParams(body)));
  });
}

async function interaction(req, res, { provider }) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === "GET") {
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    res.end(
      `<!doctype html><title>Sign in</title><form method="post">` +
        `<input name="login" aria-label="Account"><input type="password" name="password" aria-label="Password">` +
        `<button>Sign in</button></form><p>${details.prompt.name}</p>`,
    );
    return;
  }
  const form = await readBody(req);
  const login = form.get("login");
  const found = account(login);
  const result = found
    ? { login: { accountId: login, amr: found.amr ?? ["pwd"] }, select_account: {} }
    : { error: "access_denied", error_description: "This account cannot sign in" };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

createServer(async (req, res) => {
  const match = issuers.find(({ prefix }) => req.url === prefix || req.url.startsWith(`${prefix}/`));
  if (!match) {
    res.statusCode = 404;
    res.end("no such issuer");
    return;
  }
  try {
    if (req.url.startsWith(`${match.prefix}/interaction/`)) {
      await interaction(req, res, match);
      return;
    }
    req.originalUrl = req.url;
    req.url = req.url.slice(match.prefix.length) || "/";
    match.callback(req, res);
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
}).listen(config.port, "127.0.0.1", () => {
  console.log(`ready ${config.port}`);
});
