{
  "targets": [
    {
      "target_name": "kstream_crc32c",
      "sources": ["native/crc32c.c"],
      "cflags": ["-O3", "-Wall", "-Wextra"]
    }
  ]
}
