package utility

// goldenSignature is the example signature in docs/utility-api.md.
const goldenSignature = "75ddddceb9ea547e51aa00a0f4bbff888c0d4aa54f5aeecc5fadfa6d960f0d24"
