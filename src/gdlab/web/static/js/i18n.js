// The page's two languages. Every word the page shows comes from t(key, params): the texts
// live in lang-en.js and lang-ko.js, one entry per key (a string, or a function of params
// that returns HTML with its numbers in it). Static labels in index.html name their key in
// data-i18n (text), data-i18n-title, data-i18n-label (aria-label), data-i18n-placeholder or data-i18n-html.

import en from "./lang-en.js";
import ko from "./lang-ko.js";

export const LANGUAGES = { en, ko };
let current = "en";

export function language() {
  return current;
}

export function setLanguage(lang) {
  current = lang in LANGUAGES ? lang : "en";
  document.documentElement.lang = current;
  const toggle = document.getElementById("language");
  if (toggle) toggle.lang = current === "ko" ? "en" : "ko"; // it names the other language
  translateStatic();
}

// The text of `key` in the page's language (English when a key has no translation).
export function t(key, params = {}) {
  const entry = key in LANGUAGES[current] ? LANGUAGES[current][key] : en[key];
  if (entry === undefined) return key;
  return typeof entry === "function" ? entry(params) : entry;
}

export function translateStatic(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-i18n-html]")) element.innerHTML = t(element.dataset.i18nHtml);
  for (const element of root.querySelectorAll("[data-i18n-title]")) element.title = t(element.dataset.i18nTitle);
  for (const element of root.querySelectorAll("[data-i18n-label]")) element.setAttribute("aria-label", t(element.dataset.i18nLabel));
  for (const element of root.querySelectorAll("[data-i18n-placeholder]")) element.placeholder = t(element.dataset.i18nPlaceholder);
  document.title = t("page.title");
}

// Numbers with thousands separators in the page's language.
export function count(value) {
  return Number(value).toLocaleString(current === "ko" ? "ko-KR" : "en");
}
