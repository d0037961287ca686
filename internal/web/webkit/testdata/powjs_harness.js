// Runs static/pow.js on a challenge (argv[3]) with a stand-in for the
// page, and prints the payload the form would send (see powjs_test.go).
const ch = process.argv[3];
let ready;
global.btoa = (s) => Buffer.from(s, "binary").toString("base64");
global.document = {
  addEventListener(ev, fn) { if (ev === "DOMContentLoaded") ready = fn; },
  querySelectorAll() {
    const form = {
      querySelector() { return null; },
      addEventListener() {},
      submit() { console.log(input.value); },
    };
    const input = { form, value: "", getAttribute() { return ch; }, hasAttribute() { return true; } };
    return [input];
  },
};
require(process.argv[2]);
ready();
