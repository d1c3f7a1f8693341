// Initialise every GOV.UK Frontend component on the page (buttons, error summaries, the
// service navigation menu, ...). Served as an ES module: the CSP forbids inline scripts, so the
// "supported" class GOV.UK pages usually set inline is set here, before initAll checks it.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
