// segments.js: live SMS segment counter for the alert composer.
//
// For every <textarea data-segments="ID">, the element with id ID shows how
// the text will be sent, e.g. "2 segments · GSM-7 · 45 left" or
// "UCS-2 (ó, á force it) · 1 segment · 12 left"; if the text is UCS-2 and an
// element with id ID + "-gsm" exists, it shows a GSM-7 version of the text
// as a suggestion (hidden when there is nothing to suggest), after the text
// of its data-prefix attribute if it has one (e.g. data-prefix="GSM-7:").
//
// The rules and tables are those of the Go package internal/smstext, which
// documents them; its TestJSTablesMatch reads this file and fails if the
// lines marked GSM7-BASIC, GSM7-EXT and GSM7-MAP differ from the Go tables.
// Keep each of those a single line.
//
// No dependencies, no inline script needed (CSP script-src 'self'), and text
// is only ever written with textContent.
(function () {
  "use strict";

  const BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"; // GSM7-BASIC
  const EXT = "\f^{}\\[~]|€"; // GSM7-EXT
  const TO_GSM = {"\t":" ","\u000b":" ","`":"'","\u00a0":" ","ª":"a","«":"\"","\u00ad":"","´":"'","º":"o","»":"\"","À":"A","Á":"A","Â":"A","Ã":"A","È":"E","Ê":"E","Ë":"E","Ì":"I","Í":"I","Î":"I","Ï":"I","Ð":"D","Ò":"O","Ó":"O","Ô":"O","Õ":"O","Ù":"U","Ú":"U","Û":"U","á":"a","â":"a","ã":"a","ç":"Ç","ê":"e","ë":"e","í":"i","î":"i","ï":"i","ð":"d","ó":"o","ô":"o","õ":"o","ú":"u","û":"u","ÿ":"y","Đ":"D","đ":"d","ı":"i","ĸ":"k","Ŀ":"L","ŀ":"l","Ł":"L","ł":"l","ŉ":"'n","Œ":"OE","œ":"oe","Ÿ":"Y","\u1680":" ","\u2000":" ","\u2001":" ","\u2002":" ","\u2003":" ","\u2004":" ","\u2005":" ","\u2006":" ","\u2007":" ","\u2008":" ","\u2009":" ","\u200a":" ","\u200b":"","‐":"-","‑":"-","‒":"-","–":"-","—":"-","―":"-","‘":"'","’":"'","‚":"'","‛":"'","“":"\"","”":"\"","„":"\"","‟":"\"","•":"-","‣":"-","…":"...","\u2028":"\n","\u2029":"\n","\u202f":" ","′":"'","″":"\"","‹":"'","›":"'","⁃":"-","\u205f":" ","\u2060":"","−":"-","◦":"-","\u3000":" ","\ufeff":""}; // GSM7-MAP

  const GSM7_SINGLE = 160, GSM7_MULTI = 153, UCS2_SINGLE = 70, UCS2_MULTI = 67;
  const ESC = "\u001b";
  const MARK = /\p{Mn}/u;
  const LETTER = /\p{L}/u;
  const INVISIBLE = /[\p{C}\p{Z}\p{M}]/u;
  const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

  // Septets a character takes in GSM-7: 1, 2 (extension table) or 0 (not GSM-7).
  function gsmUnits(ch) {
    if (ch === ESC || ch.length === 0) return 0;
    if (BASIC.indexOf(ch) >= 0) return 1;
    if (EXT.indexOf(ch) >= 0) return 2;
    return 0;
  }

  function isGSM(s) {
    for (const ch of s) {
      if (gsmUnits(ch) === 0) return false;
    }
    return true;
  }

  // analyze mirrors smstext.Analyze: escape pairs and surrogate pairs are
  // never split across segments; an empty text is one segment.
  function analyze(s) {
    const forcing = [];
    const seen = new Set();
    for (const ch of s) {
      if (gsmUnits(ch) === 0 && !seen.has(ch)) {
        seen.add(ch);
        forcing.push(ch);
      }
    }
    const gsm = forcing.length === 0;
    const single = gsm ? GSM7_SINGLE : UCS2_SINGLE;
    const multi = gsm ? GSM7_MULTI : UCS2_MULTI;
    const units = gsm ? gsmUnits : (ch) => ch.length;
    let total = 0;
    for (const ch of s) total += units(ch);
    const info = {
      encoding: gsm ? "GSM-7" : "UCS-2",
      units: total,
      segments: 1,
      perSegment: single,
      remaining: single - total,
      forcing: forcing,
    };
    if (total <= single) return info;
    let segments = 1, used = 0;
    for (const ch of s) {
      const u = units(ch);
      if (used + u > multi) {
        segments++;
        used = 0;
      }
      used += u;
    }
    info.segments = segments;
    info.perSegment = multi;
    info.remaining = multi - used;
    return info;
  }

  // gsmFor mirrors the Go gsmFor: the GSM-7 text standing for ch, or null.
  function gsmFor(ch) {
    if (gsmUnits(ch) > 0) return ch;
    if (has(TO_GSM, ch)) return TO_GSM[ch];
    if (typeof ch.normalize !== "function") return null;
    const d = ch.normalize("NFKD");
    const first = String.fromCodePoint(d.codePointAt(0));
    let out = "";
    for (const c of d) {
      if (MARK.test(c)) {
        if (!LETTER.test(first)) return null; // "≠" is "=" plus an overlay
      } else if (gsmUnits(c) > 0) {
        out += c;
      } else if (has(TO_GSM, c)) {
        out += TO_GSM[c];
      } else {
        return null;
      }
    }
    return out === "" ? null : out;
  }

  // toGSM mirrors smstext.ToGSM.
  function toGSM(s) {
    if (isGSM(s)) return s;
    const src = typeof s.normalize === "function" ? s.normalize("NFC") : s;
    let out = "";
    for (const ch of src) {
      const rep = gsmFor(ch);
      out += rep === null ? ch : rep;
    }
    return out;
  }

  function show(ch) {
    if (INVISIBLE.test(ch)) {
      return "U+" + ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
    }
    return ch;
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  // label is the counter text for an analysis.
  function label(info) {
    const tail = plural(info.segments, "segment") + " · ";
    const left = info.remaining + " left";
    if (info.encoding === "GSM-7") {
      return tail + "GSM-7 · " + left;
    }
    const max = 6;
    let list = info.forcing.slice(0, max).map(show).join(", ");
    if (info.forcing.length > max) list += ", …";
    const verb = info.forcing.length === 1 ? "forces" : "force";
    return "UCS-2 (" + list + " " + verb + " it) · " + tail + left;
  }

  function wire(doc) {
    const areas = doc.querySelectorAll("textarea[data-segments]");
    for (const area of areas) {
      const id = area.getAttribute("data-segments");
      const out = id ? doc.getElementById(id) : null;
      if (!out) continue;
      const suggestion = doc.getElementById(id + "-gsm");
      // data-frame="[UNCONFIRMED] |\nRef XXXXXX": what the sender adds around
      // the text, counted too so the count is what the phone receives. The
      // form's confirmed / all-clear boxes choose data-frame-confirmed or
      // data-frame-allclear instead.
      const frameOf = () => {
        const form = area.form;
        const on = (name) => form && form.elements[name] && form.elements[name].checked;
        const attr = on("all_clear") ? "data-frame-allclear" : on("confirmed") ? "data-frame-confirmed" : "data-frame";
        return (area.getAttribute(attr) || area.getAttribute("data-frame") || "|").split("|");
      };
      const update = () => {
        const text = area.value;
        const frame = frameOf();
        const info = analyze(frame[0] + text + (frame[1] || ""));
        out.textContent = label(info);
        if (suggestion) {
          const fixed = info.encoding === "UCS-2" ? toGSM(text) : text;
          if (fixed !== text) {
            const prefix = suggestion.getAttribute("data-prefix");
            suggestion.textContent = prefix ? prefix + " " + fixed : fixed;
            suggestion.hidden = false;
          } else {
            suggestion.textContent = "";
            suggestion.hidden = true;
          }
        }
      };
      area.addEventListener("input", update);
      if (area.form) {
        for (const box of area.form.querySelectorAll("input[data-reframe]")) {
          box.addEventListener("change", update);
        }
      }
      update();
    }
  }

  const api = Object.freeze({ analyze, toGSM, isGSM, label });
  if (typeof module === "object" && module.exports) {
    module.exports = api; // for tests under Node
  }
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", () => wire(document));
    } else {
      wire(document);
    }
  }
})();
