// 40 nested scf.for loops carrying a tensor (loop-read-analysis.mlir).
func.func @deep(%a: tensor<8xf32> {bufferization.writable = true}, %b: tensor<8xf32>) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r0 = scf.for %i0 = %c0 to %c2 step %c1 iter_args(%x0 = %a) -> (tensor<8xf32>) {
  %r1 = scf.for %i1 = %c0 to %c2 step %c1 iter_args(%x1 = %x0) -> (tensor<8xf32>) {
  %r2 = scf.for %i2 = %c0 to %c2 step %c1 iter_args(%x2 = %x1) -> (tensor<8xf32>) {
  %r3 = scf.for %i3 = %c0 to %c2 step %c1 iter_args(%x3 = %x2) -> (tensor<8xf32>) {
  %r4 = scf.for %i4 = %c0 to %c2 step %c1 iter_args(%x4 = %x3) -> (tensor<8xf32>) {
  %r5 = scf.for %i5 = %c0 to %c2 step %c1 iter_args(%x5 = %x4) -> (tensor<8xf32>) {
  %r6 = scf.for %i6 = %c0 to %c2 step %c1 iter_args(%x6 = %x5) -> (tensor<8xf32>) {
  %r7 = scf.for %i7 = %c0 to %c2 step %c1 iter_args(%x7 = %x6) -> (tensor<8xf32>) {
  %r8 = scf.for %i8 = %c0 to %c2 step %c1 iter_args(%x8 = %x7) -> (tensor<8xf32>) {
  %r9 = scf.for %i9 = %c0 to %c2 step %c1 iter_args(%x9 = %x8) -> (tensor<8xf32>) {
  %r10 = scf.for %i10 = %c0 to %c2 step %c1 iter_args(%x10 = %x9) -> (tensor<8xf32>) {
  %r11 = scf.for %i11 = %c0 to %c2 step %c1 iter_args(%x11 = %x10) -> (tensor<8xf32>) {
  %r12 = scf.for %i12 = %c0 to %c2 step %c1 iter_args(%x12 = %x11) -> (tensor<8xf32>) {
  %r13 = scf.for %i13 = %c0 to %c2 step %c1 iter_args(%x13 = %x12) -> (tensor<8xf32>) {
  %r14 = scf.for %i14 = %c0 to %c2 step %c1 iter_args(%x14 = %x13) -> (tensor<8xf32>) {
  %r15 = scf.for %i15 = %c0 to %c2 step %c1 iter_args(%x15 = %x14) -> (tensor<8xf32>) {
  %r16 = scf.for %i16 = %c0 to %c2 step %c1 iter_args(%x16 = %x15) -> (tensor<8xf32>) {
  %r17 = scf.for %i17 = %c0 to %c2 step %c1 iter_args(%x17 = %x16) -> (tensor<8xf32>) {
  %r18 = scf.for %i18 = %c0 to %c2 step %c1 iter_args(%x18 = %x17) -> (tensor<8xf32>) {
  %r19 = scf.for %i19 = %c0 to %c2 step %c1 iter_args(%x19 = %x18) -> (tensor<8xf32>) {
  %r20 = scf.for %i20 = %c0 to %c2 step %c1 iter_args(%x20 = %x19) -> (tensor<8xf32>) {
  %r21 = scf.for %i21 = %c0 to %c2 step %c1 iter_args(%x21 = %x20) -> (tensor<8xf32>) {
  %r22 = scf.for %i22 = %c0 to %c2 step %c1 iter_args(%x22 = %x21) -> (tensor<8xf32>) {
  %r23 = scf.for %i23 = %c0 to %c2 step %c1 iter_args(%x23 = %x22) -> (tensor<8xf32>) {
  %r24 = scf.for %i24 = %c0 to %c2 step %c1 iter_args(%x24 = %x23) -> (tensor<8xf32>) {
  %r25 = scf.for %i25 = %c0 to %c2 step %c1 iter_args(%x25 = %x24) -> (tensor<8xf32>) {
  %r26 = scf.for %i26 = %c0 to %c2 step %c1 iter_args(%x26 = %x25) -> (tensor<8xf32>) {
  %r27 = scf.for %i27 = %c0 to %c2 step %c1 iter_args(%x27 = %x26) -> (tensor<8xf32>) {
  %r28 = scf.for %i28 = %c0 to %c2 step %c1 iter_args(%x28 = %x27) -> (tensor<8xf32>) {
  %r29 = scf.for %i29 = %c0 to %c2 step %c1 iter_args(%x29 = %x28) -> (tensor<8xf32>) {
  %r30 = scf.for %i30 = %c0 to %c2 step %c1 iter_args(%x30 = %x29) -> (tensor<8xf32>) {
  %r31 = scf.for %i31 = %c0 to %c2 step %c1 iter_args(%x31 = %x30) -> (tensor<8xf32>) {
  %r32 = scf.for %i32 = %c0 to %c2 step %c1 iter_args(%x32 = %x31) -> (tensor<8xf32>) {
  %r33 = scf.for %i33 = %c0 to %c2 step %c1 iter_args(%x33 = %x32) -> (tensor<8xf32>) {
  %r34 = scf.for %i34 = %c0 to %c2 step %c1 iter_args(%x34 = %x33) -> (tensor<8xf32>) {
  %r35 = scf.for %i35 = %c0 to %c2 step %c1 iter_args(%x35 = %x34) -> (tensor<8xf32>) {
  %r36 = scf.for %i36 = %c0 to %c2 step %c1 iter_args(%x36 = %x35) -> (tensor<8xf32>) {
  %r37 = scf.for %i37 = %c0 to %c2 step %c1 iter_args(%x37 = %x36) -> (tensor<8xf32>) {
  %r38 = scf.for %i38 = %c0 to %c2 step %c1 iter_args(%x38 = %x37) -> (tensor<8xf32>) {
  %r39 = scf.for %i39 = %c0 to %c2 step %c1 iter_args(%x39 = %x38) -> (tensor<8xf32>) {
  %p = linalg.map { arith.mulf } ins(%b, %b : tensor<8xf32>, tensor<8xf32>) outs(%x39 : tensor<8xf32>)
  scf.yield %p : tensor<8xf32>
  }
  scf.yield %r39 : tensor<8xf32>
  }
  scf.yield %r38 : tensor<8xf32>
  }
  scf.yield %r37 : tensor<8xf32>
  }
  scf.yield %r36 : tensor<8xf32>
  }
  scf.yield %r35 : tensor<8xf32>
  }
  scf.yield %r34 : tensor<8xf32>
  }
  scf.yield %r33 : tensor<8xf32>
  }
  scf.yield %r32 : tensor<8xf32>
  }
  scf.yield %r31 : tensor<8xf32>
  }
  scf.yield %r30 : tensor<8xf32>
  }
  scf.yield %r29 : tensor<8xf32>
  }
  scf.yield %r28 : tensor<8xf32>
  }
  scf.yield %r27 : tensor<8xf32>
  }
  scf.yield %r26 : tensor<8xf32>
  }
  scf.yield %r25 : tensor<8xf32>
  }
  scf.yield %r24 : tensor<8xf32>
  }
  scf.yield %r23 : tensor<8xf32>
  }
  scf.yield %r22 : tensor<8xf32>
  }
  scf.yield %r21 : tensor<8xf32>
  }
  scf.yield %r20 : tensor<8xf32>
  }
  scf.yield %r19 : tensor<8xf32>
  }
  scf.yield %r18 : tensor<8xf32>
  }
  scf.yield %r17 : tensor<8xf32>
  }
  scf.yield %r16 : tensor<8xf32>
  }
  scf.yield %r15 : tensor<8xf32>
  }
  scf.yield %r14 : tensor<8xf32>
  }
  scf.yield %r13 : tensor<8xf32>
  }
  scf.yield %r12 : tensor<8xf32>
  }
  scf.yield %r11 : tensor<8xf32>
  }
  scf.yield %r10 : tensor<8xf32>
  }
  scf.yield %r9 : tensor<8xf32>
  }
  scf.yield %r8 : tensor<8xf32>
  }
  scf.yield %r7 : tensor<8xf32>
  }
  scf.yield %r6 : tensor<8xf32>
  }
  scf.yield %r5 : tensor<8xf32>
  }
  scf.yield %r4 : tensor<8xf32>
  }
  scf.yield %r3 : tensor<8xf32>
  }
  scf.yield %r2 : tensor<8xf32>
  }
  scf.yield %r1 : tensor<8xf32>
  }
  return %r0 : tensor<8xf32>
}
