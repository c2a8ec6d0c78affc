package idcard

import (
	"encoding/binary"
	"fmt"
	"image"
)

// ParseSAMID formats the 16 data bytes of a read-SAM-ID reply the way vendor tools
// show the module number, e.g. "05.01-20101025-0000123456-0123456789": two small
// numbers, then three little-endian uint32. For logs and the maintenance screen only.
func ParseSAMID(data []byte) (string, error) {
	if len(data) != 16 {
		return "", fmt.Errorf("idcard: %w: SAM ID is %d bytes, want 16", ErrReplyLength, len(data))
	}
	return fmt.Sprintf("%02d.%02d-%d-%010d-%010d", data[0], data[2],
		binary.LittleEndian.Uint32(data[4:]), binary.LittleEndian.Uint32(data[8:]),
		binary.LittleEndian.Uint32(data[12:])), nil
}

// PhotoDecoder turns a card's 1024-byte WLT photo into an image.
//
// No decoder ships with the kiosk. The WLT format is proprietary; every known decoder is
// a closed vendor binary (WltRS.dll, libWltRS.so, WLTLib) licensed with the reader or
// tied to its SAM, which may not be redistributed in this repository. A utility account
// lookup does not need the photo. A deployment that does must use its reader vendor's
// licensed decoder (out of process, through this interface) and must not store the
// photo or the decoded image.
type PhotoDecoder interface {
	// DecodePhoto decodes the card's 1024-byte WLT photo.
	DecodePhoto(wlt []byte) (image.Image, error)
}
