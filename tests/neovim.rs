//! `deploylint server` in a real editor: Neovim's built-in LSP client (headless) opens a
//! Python file, and the test reads what Neovim itself holds: `vim.diagnostic.get()` (in byte
//! columns, converted by Neovim from our UTF-16 positions), then applies the fix code action
//! with Neovim's own workspace-edit code and waits for the finding to go. Skipped when `nvim`
//! is not installed, unless DEPLOYLINT_REQUIRE_NVIM=1 (CI sets it).

use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs in Neovim (0.7 and later: `vim.lsp.start_client` + `vim.lsp.buf_attach_client`).
/// Writes what it saw as JSON to $OUT; any error is written there too.
const SCRIPT: &str = r#"
local out = os.getenv('OUT')
local function finish(result)
  local f = io.open(out, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qall!')
end
local function snapshot(bufnr)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(list, {code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code),
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, source = d.source, message = d.message})
  end
  return list
end
local ok, err = pcall(function()
  local root = os.getenv('ROOT')
  local client_id = vim.lsp.start_client({
    name = 'deploylint',
    cmd = {os.getenv('DEPLOYLINT'), 'server'},
    root_dir = root,
    workspace_folders = {{uri = vim.uri_from_fname(root), name = 'root'}},
  })
  assert(client_id, 'the client did not start')
  vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/app.py'))
  local bufnr = vim.api.nvim_get_current_buf()
  assert(vim.lsp.buf_attach_client(bufnr, client_id), 'could not attach')
  local arrived = vim.wait(15000, function() return #vim.diagnostic.get(bufnr) > 0 end, 20)
  local result = {arrived = arrived, before = snapshot(bufnr)}
  if not arrived then return finish(result) end

  -- The fix for DBG001, as `:lua vim.lsp.buf.code_action()` would offer it.
  local debug
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == 'DBG001' or (d.user_data and d.user_data.lsp.code == 'DBG001') then debug = d end
  end
  assert(debug, 'no DBG001 diagnostic')
  local params = vim.lsp.util.make_range_params()
  params.range = {start = {line = debug.lnum, character = 0},
                  ['end'] = {line = debug.end_lnum, character = 200}}
  params.context = {diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, debug.lnum)}
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 10000)
  local titles = {}
  local fix
  for _, response in pairs(responses or {}) do
    for _, action in ipairs(response.result or {}) do
      table.insert(titles, action.title)
      if action.title:find('^Fix DBG001') then fix = action end
    end
  end
  result.titles = titles
  assert(fix, 'no fix action')
  vim.lsp.util.apply_workspace_edit(fix.edit, 'utf-16')
  result.fixed_line = vim.api.nvim_buf_get_lines(bufnr, debug.lnum, debug.lnum + 1, false)[1]
  result.gone = vim.wait(15000, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == 'DBG001' then return false end
    end
    return true
  end, 20)
  result.after = snapshot(bufnr)

  -- Hover on NET001's address: the rule's explanation.
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == 'NET001' then
      local text = vim.api.nvim_buf_get_lines(bufnr, d.lnum, d.lnum + 1, false)[1]
      local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
        textDocument = {uri = vim.uri_from_bufnr(bufnr)},
        position = {line = d.lnum, character = vim.str_utfindex(text, d.col + 1)},
      }, 10000)
      for _, response in pairs(hover or {}) do
        if response.result then result.hover = response.result.contents.value end
      end
    end
  end
  finish(result)
end)
if not ok then finish({error = tostring(err)}) end
"#;

const APP: &str = "from flask import Flask\n\
                   app = Flask(__name__)\n\
                   \n\
                   if __name__ == \"__main__\":\n    \
                   print(\"Démarrage 🚀\"); app.run(host=\"0.0.0.0\", debug=True)\n";

fn nvim_available() -> bool {
    Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn neovim_shows_the_diagnostics_and_applies_a_fix() {
    if !nvim_available() {
        assert!(
            std::env::var("DEPLOYLINT_REQUIRE_NVIM").as_deref() != Ok("1"),
            "nvim is not installed and DEPLOYLINT_REQUIRE_NVIM=1"
        );
        eprintln!("skipped: nvim is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("app.py"), APP).unwrap();
    let script = root.join("drive.lua");
    std::fs::write(&script, SCRIPT).unwrap();
    let out = root.join("result.json");
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-i", "NONE"])
        .arg("-c")
        .arg(format!("luafile {}", script.display()))
        .env("ROOT", &root)
        .env("OUT", &out)
        .env("DEPLOYLINT", env!("CARGO_BIN_EXE_deploylint"))
        .env("XDG_STATE_HOME", root.join("state"))
        .env("XDG_DATA_HOME", root.join("data"))
        .current_dir(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nvim");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("nvim did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let result: Value = serde_json::from_str(
        &std::fs::read_to_string(&out)
            .unwrap_or_else(|e| panic!("nvim wrote no result ({status}): {e}")),
    )
    .unwrap();
    assert!(result.get("error").is_none(), "{result:#}");
    assert_eq!(result["arrived"], true, "{result:#}");

    let find = |list: &Value, code: &str| -> Option<Value> {
        list.as_array()?.iter().find(|d| d["code"] == code).cloned()
    };
    let debug = find(&result["before"], "DBG001").expect("DBG001 in Neovim");
    let line = APP.lines().nth(4).unwrap();
    // Neovim holds byte columns: our UTF-16 positions, converted back by Neovim, land on the
    // bytes of `debug=True`.
    let start = line.find("debug=True").unwrap();
    assert_eq!(debug["lnum"], 4);
    assert_eq!(debug["col"], start);
    assert_eq!(debug["end_col"], start + "debug=True".len());
    assert_eq!(debug["severity"], 1, "ERROR");
    assert_eq!(debug["source"], "deploylint");
    let bind = find(&result["before"], "NET001").expect("NET001 in Neovim");
    assert_eq!(bind["col"], line.find("\"0.0.0.0\"").unwrap());
    assert_eq!(bind["severity"], 2, "WARN");

    let titles = result["titles"].to_string();
    assert!(titles.contains("Suppress DBG001 on line 5"), "{titles}");
    assert_eq!(
        result["fixed_line"],
        "    print(\"Démarrage 🚀\"); app.run(host=\"0.0.0.0\", debug=False)"
    );
    assert_eq!(result["gone"], true, "{result:#}");
    assert!(find(&result["after"], "NET001").is_some(), "{result:#}");
    let hover = result["hover"].as_str().unwrap_or_default();
    assert!(
        hover.contains("**NET001** bind-all-interfaces"),
        "{result:#}"
    );
}
