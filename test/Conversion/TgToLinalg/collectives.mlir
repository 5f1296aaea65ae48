// RUN: tg-opt %s -convert-tg-to-linalg | FileCheck %s

// A collective becomes a call of the runtime on flat buffers: the operand's
// buffer (read only), and a fresh one for the result (for a broadcast, a
// copy of the operand that root's data overwrites).
// CHECK-LABEL: func.func @main
// CHECK: %[[SEND:.*]] = bufferization.to_buffer %arg0 read_only : tensor<2x3xf32> to memref<2x3xf32>
// CHECK: %[[RECV:.*]] = memref.alloc() : memref<2x3xf32>
// CHECK: %[[S1:.*]] = memref.collapse_shape %[[SEND]] {{\[\[}}0, 1]] : memref<2x3xf32> into memref<6xf32>
// CHECK: %[[S2:.*]] = memref.cast %[[S1]] : memref<6xf32> to memref<?xf32>
// CHECK: %[[R1:.*]] = memref.collapse_shape %[[RECV]]
// CHECK: %[[R2:.*]] = memref.cast %[[R1]]
// CHECK: %[[MEAN:.*]] = arith.constant 1 : i32
// CHECK: call @tg_all_reduce_f32(%[[S2]], %[[R2]], %[[MEAN]]) : (memref<?xf32>, memref<?xf32>, i32) -> ()
// CHECK: bufferization.to_tensor %[[RECV]] restrict writable : memref<2x3xf32> to tensor<2x3xf32>
// CHECK: %[[SRC:.*]] = bufferization.to_buffer %arg1 read_only : tensor<5xi64> to memref<5xi64>
// CHECK: %[[COPY:.*]] = memref.alloc() : memref<5xi64>
// CHECK: memref.copy %[[SRC]], %[[COPY]]
// CHECK: %[[FLAT:.*]] = memref.cast %[[COPY]] : memref<5xi64> to memref<?xi64>
// CHECK: %[[ROOT:.*]] = arith.constant 1 : i64
// CHECK: call @tg_broadcast_i64(%[[FLAT]], %[[ROOT]]) : (memref<?xi64>, i64) -> ()
// CHECK: %[[RANK:.*]] = call @tg_process_rank() : () -> i64
// CHECK: tensor.from_elements %[[RANK]] : tensor<i64>
// CHECK-DAG: func.func private @tg_all_reduce_f32(memref<?xf32>, memref<?xf32>, i32)
// CHECK-DAG: func.func private @tg_broadcast_i64(memref<?xi64>, i64)
// CHECK-DAG: func.func private @tg_process_rank() -> i64
func.func @main(%x: tensor<2x3xf32>, %y: tensor<5xi64>) -> (tensor<2x3xf32>, tensor<5xi64>, tensor<i64>) {
  %r = tg.all_reduce mean %x : tensor<2x3xf32>
  %b = tg.broadcast_from %y [1] : tensor<5xi64>
  %k = tg.process_rank : tensor<i64>
  return %r, %b, %k : tensor<2x3xf32>, tensor<5xi64>, tensor<i64>
}
