// The HTML report's style sheet, inlined into every page (the page loads nothing): light and
// dark through prefers-color-scheme, bars drawn with CSS only, folds with <details>.
//
// Thread safety: a constant.
#pragma once

#include <string_view>

namespace ferry {

inline constexpr std::string_view kHtmlReportStyle = R"css(
:root{--bg:#fbfbfa;--fg:#1d1f21;--muted:#5f6368;--line:#d9dce0;--card:#fff;--code:#f1f3f4;
--ins:#2e7d32;--upd:#1565c0;--mrg:#6a1b9a;--skp:#9e9e9e;--unc:#80cbc4;--rej:#c62828;
--warn:#b26a00;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#17181a;--fg:#e8eaed;--muted:#9aa0a6;
--line:#3c4043;--card:#202124;--code:#2b2c2f;--ins:#66bb6a;--upd:#64b5f6;--mrg:#ba68c8;
--skp:#bdbdbd;--unc:#4db6ac;--rej:#ef5350;--warn:#ffb74d}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
h3{font-size:15px;margin:16px 0 6px}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
code{background:var(--code);padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}
.badge{display:inline-block;font-size:12px;padding:2px 8px;border-radius:10px;
border:1px solid var(--line);vertical-align:middle;margin-left:6px;color:var(--muted)}
.status{font-weight:600}.status.ok{color:var(--ins)}.status.warn{color:var(--warn)}
.status.bad{color:var(--rej)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:12px 0;
background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px 14px}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line)}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12.5px}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:600;border-top:2px solid var(--line)}
td.zero{color:var(--muted)}
.bar{display:flex;height:14px;min-width:160px;background:var(--code);border-radius:3px;
overflow:hidden}
.bar span{display:block;height:100%}
.ins{background:var(--ins)}.upd{background:var(--upd)}.mrg{background:var(--mrg)}
.skp{background:var(--skp)}.unc{background:var(--unc)}.rej{background:var(--rej)}
.legend{color:var(--muted);font-size:12.5px;margin:6px 0}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 12px}
.group{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--rej);
border-radius:4px;padding:8px 12px;margin:10px 0}
.group .count{float:right;font-weight:600;color:var(--rej)}
.muted{color:var(--muted)}
table.rejects code{white-space:nowrap;overflow-wrap:normal}
table.rejects td.file code{white-space:normal;overflow-wrap:anywhere}
details{margin:6px 0}summary{cursor:pointer;color:var(--upd)}
ul.ids{margin:4px 0;padding-left:20px}
.arrow{color:var(--muted);padding:0 4px}
td.values code.before{text-decoration:line-through;text-decoration-color:var(--rej)}
td.values code.after{border-left:3px solid var(--ins)}
td.withheld{color:var(--warn);font-style:italic}
)css";

}  // namespace ferry
