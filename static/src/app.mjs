// Initialise every GOV.UK Frontend component on the page (buttons, error summaries, the
// service navigation menu, ...). Served as an ES module: the CSP forbids inline scripts, so the
// "supported" class GOV.UK pages usually set inline is set here, before initAll checks it.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Passkeys (django-otp-webauthn's script does the ceremony): once one is added, go where the
// page says (or where the server says, when it has just made backup codes to show).
document.addEventListener("otp_webauthn.register_complete", (event) => {
  const next = event.detail?.response?.next || event.target?.dataset?.next;
  if (next) window.location.assign(next);
});
