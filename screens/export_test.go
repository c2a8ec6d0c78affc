package screens

// ScanNoticeFor lets the screens' external tests wait out the notice of an unusable scan.
const ScanNoticeFor = scanNoticeFor
