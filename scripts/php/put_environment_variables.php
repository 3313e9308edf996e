<?php
// put_environment_variables.php — PHP auto_prepend_file for phpsendmail.
//
// Copies the request details phpsendmail logs (SCRIPT_FILENAME, HTTP_HOST,
// REMOTE_ADDR, REQUEST_URI) from $_SERVER into the process environment, which
// mail() hands to sendmail_path. Install with the lines in phpsendmail.ini.
//
// Differences from the old file in the seed README, on purpose:
// * No ob_start(). The old file opened an output buffer that was never
//   closed, so every page was held in memory until the end and flush() or
//   streamed downloads stopped working. Its likely purpose, keeping the
//   newline after the closing PHP tag from being sent before the
//   application's header() calls, is served here by having no closing tag
//   at all. (Nor may a comment in this file contain that tag: it would end
//   PHP mode even inside a // comment.)
// * A missing key (the CLI, cron, a server that does not set it) is skipped
//   quietly instead of raising "Undefined array key" warnings.
// * The work runs inside a function, so no variable is left in the global
//   scope of the application that runs after this file.
// * A NUL byte becomes '?', as phpsendmail does with every control
//   character: the environment cannot hold NUL, and putenv() would cut the
//   value there without a word.
//
// PHP restores the environment at the end of every request, so values set
// here do not leak into the next request served by the same worker.
//
// Works with PHP 5.3 and later.

call_user_func(function () {
    foreach (array('SCRIPT_FILENAME', 'HTTP_HOST', 'REMOTE_ADDR', 'REQUEST_URI') as $name) {
        if (isset($_SERVER[$name]) && is_scalar($_SERVER[$name])) {
            putenv($name . '=' . str_replace("\0", '?', (string) $_SERVER[$name]));
        }
    }
});
