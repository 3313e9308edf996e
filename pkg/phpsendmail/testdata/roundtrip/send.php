<?php
// The page of the PHP round trip (roundtrip_test.go): one mail() per
// request, with the request's number n in the subject and the body, so
// every message is unique. It prints ok or fail.
$n = isset($_GET['n']) ? (int) $_GET['n'] : -1;
$ok = mail('victim@example.com', 'subject ' . $n, "body $n\n");
echo $ok ? "ok\n" : "fail\n";
